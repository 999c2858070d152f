"""OpenAPI description of the API-key scheme (loaded from ApiConfig.ready)."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class OrganisationAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "finance.api.auth.OrganisationAPIKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Authorization: Api-Key <key>` — one key per bank or guarantor system"}
