"""Ids and names of the test tenant."""

from __future__ import annotations

GROUP_A = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
GROUP_B = "11111111-2222-4333-8444-555555555555"
GROUP_C = "6c2b7d1e-9a4f-4e8b-b3d5-2f1a0c9e8d7b"
GROUPS = (GROUP_A, GROUP_B, GROUP_C)

SECURITY = "WindowsOfficeClientSecurityConfiguration"
CLIENT = "WindowsOfficeClientConfiguration"
POLICIES = "/officeConfiguration/clientConfigurations"
CLIENT_TYPE = "#microsoft.graph.windowsOfficeClientConfiguration"
SECURITY_TYPE = "#microsoft.graph.windowsOfficeClientSecurityConfiguration"
GROUP_TARGET = "#microsoft.graph.officeConfigurationGroupAssignmentTarget"
KIND_OF_TYPE = {CLIENT_TYPE: CLIENT, SECURITY_TYPE: SECURITY}
