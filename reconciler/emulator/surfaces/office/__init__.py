"""The Office cloud-policy surface: officeConfiguration and its clientConfigurations."""
