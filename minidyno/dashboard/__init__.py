"""The web dashboard: server-rendered pages plus a little JavaScript, served by the
control plane, for watching dynos start, sleep and wake."""
