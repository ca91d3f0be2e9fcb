"""The definitions of the emulator's Administrative Templates catalog, hand-written: Office
ADMX policies (Microsoft 365 Apps / Office 2016 templates, as Intune lists them under
``\\Microsoft Word 2016\\...``, ``\\Microsoft Office 2016 (Machine)\\...``) and one custom
(uploaded) definition.

Each entry is ``(classType, categoryPath, displayName, explainText, presentations)``, plus
an ingestion source for the custom one; a presentation is ``(kind, label, properties)`` where
``properties`` holds only what differs from the defaults the Graph docs give each
presentation type (``catalog`` fills those in, and all ids, which are made up).

What is real and what is not: the category paths follow Intune's Office paths (graph-intune
admin-templates-assignments-peers §A.5: ``\\Microsoft Excel 2016\\Excel Options\\Security\\Trust
Center``, ``Microsoft Office 2016 (Machine)\\Updates``, ``...\\Licensing Settings``); "Block
macros from running in Office files from the Internet", "VBA Macro Notification Settings",
"Trust access to Visual Basic Project", "Update Channel", "Update Path", "Target Version",
"Use shared computer activation", "List of managed add-ins" and "Macro Runtime Scan Scope"
are Office policy names; the explain texts, the other names, the labels, the dropdown items'
values and the bounds are the emulator's own, plausible but not Microsoft's. The custom
definition (``\\Contoso Line-of-Business\\...``) stands for an uploaded ADMX file.

Deliberate edge cases for the client: display names with an apostrophe ("Disable 'Remember
password' for Internet e-mail accounts") and with a colon ("Large PST: Maximum size"); the
same display name in different categories (the macro settings of Word, Excel and
PowerPoint, "Save AutoRecover info" of Word and PowerPoint); label-only ``text``
presentations beside valued ones; required and optional presentations.
"""

from __future__ import annotations

from typing import Any

Presentation = tuple[str, str, dict[str, Any]]
Entry = tuple[str, str, str, str, tuple[Presentation, ...]]

WORD = r"\Microsoft Word 2016\Word Options"
EXCEL = r"\Microsoft Excel 2016\Excel Options"
POWERPOINT = r"\Microsoft PowerPoint 2016\PowerPoint Options"
OUTLOOK = r"\Microsoft Outlook 2016"
OFFICE = r"\Microsoft Office 2016"
MACHINE = r"\Microsoft Office 2016 (Machine)"
TRUST_CENTER = r"\Security\Trust Center"

BLOCK_MACROS = "Block macros from running in Office files from the Internet"
VBA_NOTIFICATIONS = "VBA Macro Notification Settings"
VBA_PROJECT = "Trust access to Visual Basic Project"
AUTORECOVER = "Save AutoRecover info"

_MACRO_WARNINGS: tuple[Presentation, ...] = (
    (
        "dropdownList",
        "Macro notification:",
        {
            "items": [
                ("Enable all macros (not recommended)", "1"),
                ("Disable all macros with notification", "2"),
                ("Disable all macros except digitally signed macros", "3"),
                ("Disable all macros without notification", "4"),
            ],
            "defaultItem": "2",
            "required": True,
        },
    ),
)
_AUTORECOVER: tuple[Presentation, ...] = (
    (
        "decimalTextBox",
        "Save AutoRecover info every (minutes):",
        {"defaultValue": 10, "minValue": 1, "maxValue": 120, "required": True},
    ),
)


def _macros(product: str, application: str) -> tuple[Entry, ...]:
    """The three Trust Center macro settings every Office application has."""
    trust = product + TRUST_CENTER
    return (
        (
            "user",
            trust,
            BLOCK_MACROS,
            f"Blocks macros in {application} files that come from the Internet, whatever the "
            "macro notification setting; users cannot unblock them.",
            (),
        ),
        (
            "user",
            trust,
            VBA_NOTIFICATIONS,
            f"Sets how {application} warns about and runs VBA macros.",
            _MACRO_WARNINGS,
        ),
        (
            "user",
            trust,
            VBA_PROJECT,
            f"Lets automation clients reach the VBA object model of {application}.",
            (),
        ),
    )


DEFINITIONS: tuple[Entry, ...] = (
    *_macros(WORD, "Word"),
    *_macros(EXCEL, "Excel"),
    *_macros(POWERPOINT, "PowerPoint"),
    (
        "user",
        WORD + TRUST_CENTER,
        "Turn off trusted documents",
        "Word asks every time before it runs active content of a document.",
        (),
    ),
    (
        "user",
        WORD + TRUST_CENTER + r"\Trusted Locations",
        "Trusted Location #1",
        "A folder whose files Word opens without the Trust Center's checks.",
        (
            ("text", "Files in a trusted location open without checks.", {}),
            ("textBox", "Path:", {"required": True}),
            ("textBox", "Date:", {}),
            ("textBox", "Description:", {}),
            ("checkBox", "Allow sub folders", {}),
        ),
    ),
    (
        "user",
        WORD + TRUST_CENTER + r"\File Block Settings",
        "Word 2 and earlier binary documents and templates",
        "Whether Word opens or saves Word 2 and earlier binary files.",
        (
            (
                "dropdownList",
                "File block setting:",
                {
                    "items": [
                        ("Do not block", "0"),
                        ("Save blocked", "1"),
                        ("Open/Save blocked, use open policy", "2"),
                        ("Block", "3"),
                    ],
                    "defaultItem": "0",
                    "required": True,
                },
            ),
        ),
    ),
    (
        "user",
        WORD + r"\Save",
        AUTORECOVER,
        "How often Word saves AutoRecover information.",
        _AUTORECOVER,
    ),
    (
        "user",
        WORD + r"\Advanced\File Locations",
        "Default File Location",
        "The folder Word opens and saves documents in by default.",
        (("textBox", "Documents:", {"maxLength": 260}),),
    ),
    (
        "user",
        r"\Microsoft Word 2016\Disable Items in User Interface\Custom",
        "Disable commands",
        "Word commands that are disabled, by command id.",
        (("listBox", "Enter a command ID to disable", {}),),
    ),
    (
        "user",
        EXCEL + r"\Save",
        "AutoRecover time",
        "How often Excel saves AutoRecover information.",
        (
            (
                "decimalTextBox",
                "Save AutoRecover info every (minutes):",
                {"defaultValue": 10, "minValue": 1, "maxValue": 120, "required": True},
            ),
        ),
    ),
    (
        "user",
        EXCEL + r"\General",
        "Standard font",
        "The font of new workbooks.",
        (
            (
                "comboBox",
                "Font name:",
                {
                    "defaultValue": "Aptos Narrow",
                    "suggestions": ["Aptos Narrow", "Calibri", "Arial"],
                    "maxLength": 31,
                    "required": True,
                },
            ),
        ),
    ),
    (
        "user",
        EXCEL + TRUST_CENTER + r"\External Content",
        "Always prevent untrusted Microsoft Query files from opening",
        "Excel does not open Microsoft Query files from untrusted locations.",
        (),
    ),
    (
        "user",
        POWERPOINT + r"\Save",
        AUTORECOVER,
        "How often PowerPoint saves AutoRecover information.",
        _AUTORECOVER,
    ),
    (
        "user",
        OUTLOOK + r"\Miscellaneous\PST Settings",
        "Large PST: Maximum size",
        "The largest size a Unicode PST or OST file may grow to.",
        (
            ("text", "Sizes are in megabytes.", {}),
            (
                "longDecimalTextBox",
                "Maximum size in MB:",
                {"defaultValue": 51200, "minValue": 0, "maxValue": 4294967295, "required": True},
            ),
        ),
    ),
    (
        "user",
        OUTLOOK + r"\Miscellaneous\PST Settings",
        "Large PST: Warning threshold",
        "The size at which Outlook warns that a PST or OST file is nearly full.",
        (
            (
                "longDecimalTextBox",
                "Warning threshold in MB:",
                {"defaultValue": 48128, "minValue": 0, "maxValue": 4294967295},
            ),
        ),
    ),
    (
        "user",
        OUTLOOK + r"\Miscellaneous",
        "List of managed add-ins",
        "Add-ins by ProgID, each 0 (always disabled), 1 (always enabled) or 2 (user choice).",
        (("listBox", "List of managed add-ins", {"explicitValue": True}),),
    ),
    (
        "user",
        OUTLOOK + r"\Account Settings\E-mail",
        "Disable 'Remember password' for Internet e-mail accounts",
        "Hides the Remember password box for POP3 and IMAP accounts.",
        (),
    ),
    (
        "user",
        OUTLOOK + r"\Outlook Options\Other\AutoArchive",
        "AutoArchive Settings",
        "When and how Outlook archives old items.",
        (
            ("checkBox", "Turn on AutoArchive", {}),
            (
                "decimalTextBox",
                "Run AutoArchive every (days):",
                {"defaultValue": 14, "minValue": 1, "maxValue": 60},
            ),
            ("checkBox", "Prompt before AutoArchive runs", {"defaultChecked": True}),
        ),
    ),
    (
        "user",
        OFFICE + r"\Security Settings\Trust Center",
        "Trusted domain list",
        "Domains whose web content Office add-ins may load.",
        (("multiTextBox", "Domains:", {"maxLength": 255, "maxStrings": 50, "required": True}),),
    ),
    (
        "user",
        OFFICE + r"\Security Settings",
        "Macro Runtime Scan Scope",
        "Which documents the antimalware scan covers when macros run.",
        (
            (
                "dropdownList",
                "Scan scope:",
                {
                    "items": [
                        ("Disable for all documents", "0"),
                        ("Enable for low trust documents", "1"),
                        ("Enable for all documents", "2"),
                    ],
                    "defaultItem": "1",
                    "required": True,
                },
            ),
        ),
    ),
    (
        "user",
        OFFICE + r"\Privacy\Trust Center",
        "Disable Opt-in Wizard on first run",
        "Office does not show the privacy wizard the first time it starts.",
        (),
    ),
    (
        "machine",
        MACHINE + r"\Updates",
        "Enable Automatic Updates",
        "Office downloads and installs updates by itself.",
        (),
    ),
    (
        "machine",
        MACHINE + r"\Updates",
        "Update Channel",
        "The channel Office takes its updates from.",
        (
            (
                "dropdownList",
                "Channel Name:",
                {
                    "items": [
                        ("Current Channel", "Current"),
                        ("Monthly Enterprise Channel", "MonthlyEnterprise"),
                        ("Semi-Annual Enterprise Channel", "Deferred"),
                        ("Semi-Annual Enterprise Channel (Preview)", "FirstReleaseDeferred"),
                    ],
                    "defaultItem": "Current",
                    "required": True,
                },
            ),
        ),
    ),
    (
        "machine",
        MACHINE + r"\Updates",
        "Update Path",
        "A network share or web address Office takes its updates from.",
        (("textBox", "Location for updates:", {"required": True}),),
    ),
    (
        "machine",
        MACHINE + r"\Updates",
        "Target Version",
        "The Office build to update to.",
        (("textBox", "Target Version:", {"maxLength": 32, "required": True}),),
    ),
    (
        "machine",
        MACHINE + r"\Licensing Settings",
        "Use shared computer activation",
        "Office activates per user, for computers several people use.",
        (),
    ),
    (
        "machine",
        MACHINE + r"\Licensing Settings",
        "Specify the location to save the licensing token used by shared computer activation",
        "A folder for the licensing tokens of shared computer activation.",
        (("textBox", "Location:", {"required": True}),),
    ),
)

# An uploaded (custom) ADMX file's definition: its categories have ingestionSource custom.
CUSTOM: tuple[Entry, ...] = (
    (
        "user",
        r"\Contoso Line-of-Business\Office Add-ins",
        "Contoso templates pane",
        "Shows Contoso's template pane in Word, Excel and PowerPoint.",
        (
            ("textBox", "Template server URL:", {"required": True}),
            ("checkBox", "Open the pane at startup", {"defaultChecked": True}),
        ),
    ),
)
