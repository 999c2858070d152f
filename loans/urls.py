"""Pages for people."""
app_name = "loans"
urlpatterns = []
