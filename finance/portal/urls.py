"""Pages for people."""
app_name = "portal"
urlpatterns: list = []
