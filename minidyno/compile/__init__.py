"""Heroku's slug compiler: from pushed source to a slug (the image every release of
one build runs): detect, choose the stack, run the buildpack in a build container and
put the compiled build dir on the run stack; or build heroku.yml's Dockerfiles."""
