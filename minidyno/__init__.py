"""minidyno: Heroku on one machine."""
