"""The two seed documents' example requests, sent byte for byte, and the shape of the replies
(graph-spec §6: "the seed documents are the contract")."""

from __future__ import annotations

import json

from tests.support.raw import Graph
from tests.support.tenant import POLICIES, SECURITY_TYPE

# Copied verbatim from seeds/update-officeconfiguration.md (request and response).
SINGLETON_REQUEST = """{
  "@odata.type": "#microsoft.graph.officeConfiguration",
  "tenantCheckinStatuses": [
    {
      "@odata.type": "microsoft.graph.officeClientCheckinStatus",
      "userPrincipalName": "User Principal Name value",
      "deviceName": "Device Name value",
      "devicePlatform": "Device Platform value",
      "devicePlatformVersion": "Device Platform Version value",
      "wasSuccessful": true,
      "userId": "User Id value",
      "checkinDateTime": "2017-01-01T00:01:46.9896075+00:00",
      "errorMessage": "Error Message value",
      "appliedPolicies": [
        "Applied Policies value"
      ]
    }
  ],
  "tenantUserCheckinSummary": {
    "@odata.type": "microsoft.graph.officeUserCheckinSummary",
    "succeededUserCount": 2,
    "failedUserCount": 15
  }
}
"""
SINGLETON_RESPONSE = """{
  "@odata.type": "#microsoft.graph.officeConfiguration",
  "id": "c6fcd2c7-d2c7-c6fc-c7d2-fcc6c7d2fcc6",
  "tenantCheckinStatuses": [
    {
      "@odata.type": "microsoft.graph.officeClientCheckinStatus",
      "userPrincipalName": "User Principal Name value",
      "deviceName": "Device Name value",
      "devicePlatform": "Device Platform value",
      "devicePlatformVersion": "Device Platform Version value",
      "wasSuccessful": true,
      "userId": "User Id value",
      "checkinDateTime": "2017-01-01T00:01:46.9896075+00:00",
      "errorMessage": "Error Message value",
      "appliedPolicies": [
        "Applied Policies value"
      ]
    }
  ],
  "tenantUserCheckinSummary": {
    "@odata.type": "microsoft.graph.officeUserCheckinSummary",
    "succeededUserCount": 2,
    "failedUserCount": 15
  }
}
"""

# Copied verbatim from seeds/update-windowsofficeclientsecurityconfiguration.md.
SECURITY_REQUEST = """{
  "@odata.type": "#microsoft.graph.windowsOfficeClientSecurityConfiguration",
  "userPreferencePayload": "Stream",
  "policyPayload": "Stream",
  "description": "Description value",
  "displayName": "Display Name value",
  "priority": 8,
  "userCheckinSummary": {
    "@odata.type": "microsoft.graph.officeUserCheckinSummary",
    "succeededUserCount": 2,
    "failedUserCount": 15
  },
  "checkinStatuses": [
    {
      "@odata.type": "microsoft.graph.officeClientCheckinStatus",
      "userPrincipalName": "User Principal Name value",
      "deviceName": "Device Name value",
      "devicePlatform": "Device Platform value",
      "devicePlatformVersion": "Device Platform Version value",
      "wasSuccessful": true,
      "userId": "User Id value",
      "checkinDateTime": "2017-01-01T00:03:31.0887348+03:00",
      "errorMessage": "Error Message value",
      "appliedPolicies": [
        "Applied Policies value"
      ]
    }
  ]
}
"""
SECURITY_RESPONSE = """{
  "@odata.type": "#microsoft.graph.windowsOfficeClientSecurityConfiguration",
  "id": "99f3de62-de62-99f3-62de-f39962def399",
  "userPreferencePayload": "Stream",
  "policyPayload": "Stream",
  "description": "Description value",
  "displayName": "Display Name value",
  "priority": 8,
  "userCheckinSummary": {
    "@odata.type": "microsoft.graph.officeUserCheckinSummary",
    "succeededUserCount": 2,
    "failedUserCount": 15
  },
  "checkinStatuses": [
    {
      "@odata.type": "microsoft.graph.officeClientCheckinStatus",
      "userPrincipalName": "User Principal Name value",
      "deviceName": "Device Name value",
      "devicePlatform": "Device Platform value",
      "devicePlatformVersion": "Device Platform Version value",
      "wasSuccessful": true,
      "userId": "User Id value",
      "checkinDateTime": "2017-01-01T00:03:31.0887348+03:00",
      "errorMessage": "Error Message value",
      "appliedPolicies": [
        "Applied Policies value"
      ]
    }
  ]
}
"""
JSON = {"Content-Type": "application/json"}


def test_singleton_patch_accepts_the_seed_body_and_answers_its_shape(graph: Graph) -> None:
    response = graph.patch("/officeConfiguration", data=SINGLETON_REQUEST, headers=JSON)
    assert response.status_code == 200, response.text
    body = response.json()
    expected = json.loads(SINGLETON_RESPONSE) | {"id": body["id"]}
    assert body == expected
    assert graph.get("/officeConfiguration").json() == expected


def test_security_policy_patch_accepts_the_seed_body_and_answers_its_shape(graph: Graph) -> None:
    created = graph.create(1, SECURITY_TYPE, displayName="before")
    url = f"{POLICIES}/{created['id']}"
    response = graph.patch(url, data=SECURITY_REQUEST, headers=JSON)
    assert response.status_code == 200, response.text
    body = response.json()
    expected = json.loads(SECURITY_RESPONSE) | {"id": created["id"]}
    assert body == expected
    assert graph.get(url).json() == expected
    # The placeholder is not base64, so the stream URL serves its literal bytes.
    assert graph.get(f"{url}/policyPayload").content == b"Stream"


def test_seed_bodies_are_accepted_in_separate_stream_mode_too(make_emulator) -> None:
    graph = Graph(make_emulator(streams="separate"))
    created = graph.create(1, SECURITY_TYPE)
    url = f"{POLICIES}/{created['id']}"
    response = graph.patch(url, data=SECURITY_REQUEST, headers=JSON)
    assert response.status_code == 200, response.text
    expected = json.loads(SECURITY_RESPONSE) | {"id": created["id"]}
    del expected["policyPayload"], expected["userPreferencePayload"]
    assert response.json() == expected
    assert graph.get(f"{url}/userPreferencePayload").content == b"Stream"
    assert graph.patch("/officeConfiguration", data=SINGLETON_REQUEST, headers=JSON).ok
