"""WSGI entry point (gunicorn finance.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finance.settings")
application = get_wsgi_application()
