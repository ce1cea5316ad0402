from minidyno.cli.main import main

main()
