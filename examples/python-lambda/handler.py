"""A Lambda function calling Zoho CRM with the Zoho Python SDK, its tokens
kept by the tokenstore agent running beside it as a Lambda extension.

Every instance of the function asks the agent (127.0.0.1:2774) for the
token before each API call; the agents of all instances share one store
(AWS Secrets Manager) and refresh once per expiry for the whole fleet, so
Zoho's 10 tokens per 10 minutes and 15 active tokens hold however many
instances run. The function never sees the refresh token's refresh.

Configuration (the function's environment):
  ZOHO_USER          the user whose record the agent's store holds (saved
                     once, e.g. with tokenctl import)
  ZOHO_DC            us, eu, in, au, jp, cn, ca or sa (default us); or
  ZOHO_API_URL, ZOHO_ACCOUNTS_URL  an environment of your own (local tests
                     against zohotest)
  the agent's: TOKENSTORE_URL, TOKENSTORE_PEPPER[_FILE] (the extension reads
  them); the client finds the agent by TOKENSTORE_AGENT_ADDR (default
  127.0.0.1:2774) and, in Lambda, authenticates with AWS_SESSION_TOKEN as
  the extension expects.

The event {"user": "..."} may name another user than ZOHO_USER. The answer
is the user's CRM e-mail, never a token.
"""

import json
import os

from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.crm.api import ParameterMap
from zohocrmsdk.src.com.zoho.crm.api.dc import (AUDataCenter, CADataCenter, CNDataCenter, EUDataCenter,
                                                INDataCenter, JPDataCenter, SADataCenter, USDataCenter)
from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
from zohocrmsdk.src.com.zoho.crm.api.initializer import Initializer
from zohocrmsdk.src.com.zoho.crm.api.user_signature import UserSignature
from zohocrmsdk.src.com.zoho.crm.api.users import GetUsersParam, ResponseWrapper, UsersOperations

from tokenstore_agent.zoho import AgentTokenStore

DATA_CENTRES = {"us": USDataCenter, "eu": EUDataCenter, "in": INDataCenter, "au": AUDataCenter,
                "jp": JPDataCenter, "cn": CNDataCenter, "ca": CADataCenter, "sa": SADataCenter}

# One store per execution environment: its connection to the agent is kept
# between invocations.
store = AgentTokenStore()
_user = None


def environment():
    if os.environ.get("ZOHO_API_URL"):
        api = os.environ["ZOHO_API_URL"]
        return DataCenter.Environment(api, os.environ["ZOHO_ACCOUNTS_URL"], api)
    return DATA_CENTRES[os.environ.get("ZOHO_DC", "us")].PRODUCTION()


def use(user):
    """Initialize the SDK for user, once per execution environment and
    user. The first find already goes through the agent."""
    global _user
    if user != _user:
        Initializer.initialize(environment=environment(), token=OAuthToken(user_signature=UserSignature(user)),
                               store=store, resource_path="/tmp")
        _user = user


def current_user():
    params = ParameterMap()
    params.add(GetUsersParam.type, "CurrentUser")
    return UsersOperations().get_users(params)


def handler(event, context):
    use((event or {}).get("user") or os.environ["ZOHO_USER"])
    response = current_user()
    # The SDK has no hook for a refused token (an evicted or revoked one):
    # tell the agent, which expires it for the fleet, and call once more.
    if store.report_if_invalid(response):
        response = current_user()
    obj = response.get_object()
    if response.get_status_code() != 200 or not isinstance(obj, ResponseWrapper):
        code = getattr(getattr(obj, "get_code", lambda: None)(), "get_value", lambda: None)()
        return {"status": response.get_status_code(), "error": code}
    return {"status": 200, "email": obj.get_users()[0].get_email()}


if __name__ == "__main__":
    # Invoke locally: python handler.py '{"user": "..."}'
    import sys
    print(json.dumps(handler(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}, None)))
