"""`minidyno doctor`: will this app work on Heroku, answered before the push."""
