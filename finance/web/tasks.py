"""Platform health tasks."""
from celery import shared_task


@shared_task(name="finance.healthcheck")
def healthcheck(token: str) -> str:
    """Round-trips through the broker: a worker echoes the token (used by deployment checks and CI)."""
    return f"pong:{token}"
