"""From pushed source to a release image: detect, choose the stack, run the buildpack
in a build container, and put the slug on the run stack."""
