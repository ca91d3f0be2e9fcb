"""Aspects: the cloud table (authority, Graph root and scope move together), --graph-url
winning for the Graph root (and choosing the cloud when its host is a known Graph host),
custom hosts keeping the cloud's scope, AZURE_AUTHORITY_HOST, and the CA bundle check."""

from __future__ import annotations

import pytest

from reconciler.errors import ConfigError
from reconciler.fetch.auth.clouds import check_trust, resolve


@pytest.mark.parametrize(
    ("cloud", "authority", "graph"),
    [
        (None, "https://login.microsoftonline.com", "https://graph.microsoft.com"),
        ("global", "https://login.microsoftonline.com", "https://graph.microsoft.com"),
        ("usgov", "https://login.microsoftonline.us", "https://graph.microsoft.us"),
        ("usgov-dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us"),
        ("china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"),
    ],
)
def test_cloud_sets_authority_graph_root_and_scope_together(cloud, authority, graph) -> None:
    endpoints = resolve(cloud=cloud, graph_url=None, environ={})
    assert endpoints.authority == authority
    assert endpoints.graph_url == f"{graph}/beta"
    assert endpoints.scope == f"{graph}/.default"
    assert endpoints.known_authority


def test_graph_url_of_a_national_cloud_selects_that_cloud() -> None:
    endpoints = resolve(cloud=None, graph_url="https://graph.microsoft.us/beta/", environ={})
    assert endpoints.cloud.name == "usgov"
    assert endpoints.authority == "https://login.microsoftonline.us"
    assert endpoints.scope == "https://graph.microsoft.us/.default"
    assert endpoints.graph_url == "https://graph.microsoft.us/beta"


def test_graph_url_of_another_cloud_than_cloud_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve(cloud="china", graph_url="https://graph.microsoft.com/beta", environ={})
    assert "global" in str(caught.value) and "--cloud global" in caught.value.hint


def test_an_explicit_default_port_does_not_hide_the_cloud() -> None:
    with pytest.raises(ConfigError, match="belongs to the global cloud"):
        resolve(cloud="usgov", graph_url="https://GRAPH.microsoft.com:443/beta", environ={})
    endpoints = resolve(cloud=None, graph_url="https://graph.microsoft.us:443/beta", environ={})
    assert endpoints.cloud.name == "usgov"


def test_custom_graph_host_keeps_the_clouds_scope_and_authority() -> None:
    endpoints = resolve(cloud="usgov", graph_url="https://graph-proxy.example.net/beta", environ={})
    assert endpoints.graph_url == "https://graph-proxy.example.net/beta"
    assert endpoints.scope == "https://graph.microsoft.us/.default"
    assert endpoints.authority == "https://login.microsoftonline.us"


def test_graph_url_keeps_its_own_version_path() -> None:
    endpoints = resolve(cloud=None, graph_url="https://graph.microsoft.com/v1.0", environ={})
    assert endpoints.graph_url == "https://graph.microsoft.com/v1.0"


def test_plain_http_graph_url_is_refused_unless_loopback() -> None:
    with pytest.raises(ConfigError, match="Refusing plain http"):
        resolve(cloud=None, graph_url="http://graph.microsoft.com/beta", environ={})
    local = resolve(cloud=None, graph_url="http://127.0.0.1:8080/beta", environ={})
    assert local.graph_url == "http://127.0.0.1:8080/beta"


def test_unknown_cloud_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="--cloud germany"):
        resolve(cloud="germany", graph_url=None, environ={})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://login.example.test/", "https://login.example.test"),
        ("login.example.test", "https://login.example.test"),
        ("https://127.0.0.1:8443", "https://127.0.0.1:8443"),
    ],
)
def test_azure_authority_host_replaces_the_clouds_authority(value, expected) -> None:
    endpoints = resolve(cloud=None, graph_url=None, environ={"AZURE_AUTHORITY_HOST": value})
    assert endpoints.authority == expected
    assert not endpoints.known_authority  # instance discovery would ask the public cloud


def test_authority_host_must_be_https() -> None:
    with pytest.raises(ConfigError, match="AZURE_AUTHORITY_HOST"):
        resolve(cloud=None, graph_url=None, environ={"AZURE_AUTHORITY_HOST": "http://x.test"})


def test_missing_ca_bundle_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="REQUESTS_CA_BUNDLE"):
        check_trust({"REQUESTS_CA_BUNDLE": str(tmp_path / "nope.pem")})
    bundle = tmp_path / "ca.pem"
    bundle.write_text("x")
    check_trust({"REQUESTS_CA_BUNDLE": str(bundle)})
    check_trust({})
