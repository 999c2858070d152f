"""Pages for people."""
app_name = "funds"
urlpatterns = []
