"""The real Zoho CRM Python SDK (zohocrmsdk8-0) pointed at zohotest."""

import os

from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.api.logger import Logger
from zohocrmsdk.src.com.zoho.crm.api import ParameterMap
from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
from zohocrmsdk.src.com.zoho.crm.api.initializer import Initializer
from zohocrmsdk.src.com.zoho.crm.api.users import GetUsersParam, ResponseWrapper, UsersOperations


class ZohotestDataCenter(DataCenter):
    """A data centre whose accounts server and API are zohotest, made the
    way the SDK's own (USDataCenter.PRODUCTION()) are: an Environment with
    the API URL, the token URL and the file upload URL."""

    def __init__(self, url):
        self.url = url

    def get_iam_url(self):
        return self.url + "/oauth/v2/token"

    def get_file_upload_url(self):
        return self.url

    def environment(self):
        return DataCenter.Environment(self.url, self.get_iam_url(), self.get_file_upload_url())


def initialize(zohotest_url, token, store, workdir):
    """Initializer.initialize as an application does; the SDK logs to
    workdir/sdk.log at INFO (a test reads it for secrets)."""
    Initializer.initialize(environment=ZohotestDataCenter(zohotest_url).environment(), token=token, store=store,
                           logger=Logger.get_instance(Logger.Levels.INFO, os.path.join(workdir, "sdk.log")),
                           resource_path=workdir)


def current_user():
    """GET /crm/v8/users?type=CurrentUser through the SDK: its APIResponse."""
    params = ParameterMap()
    params.add(GetUsersParam.type, "CurrentUser")
    return UsersOperations().get_users(params)


def email_of(response):
    obj = response.get_object()
    if response.get_status_code() != 200 or not isinstance(obj, ResponseWrapper):
        code = getattr(getattr(obj, "get_code", lambda: None)(), "get_value", lambda: None)()
        raise AssertionError(f"users call: HTTP {response.get_status_code()} {type(obj).__name__} {code}")
    return obj.get_users()[0].get_email()


class SelfRefreshSpy:
    """Counts the SDK's own token calls (OAuthToken.refresh_access_token and
    generate_access_token), which must not run while the agent serves."""

    def __init__(self, monkeypatch):
        self.calls = 0
        for name in ("refresh_access_token", "generate_access_token"):
            orig = getattr(OAuthToken, name)

            def spy(self_, *a, _orig=orig, **kw):
                self.calls += 1
                return _orig(self_, *a, **kw)

            monkeypatch.setattr(OAuthToken, name, spy)
