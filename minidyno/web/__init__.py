"""What every HTTP surface shares (the API, the dashboard, git's smart HTTP): the token,
the dashboard's sessions, and the platform handed to each request."""
