"""Git over smart HTTP with git's own receive-pack and upload-pack, and the pre-receive
hook that turns a push into a build."""
