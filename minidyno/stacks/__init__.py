"""Stack images: the Debian base every build and every dyno runs on."""
