"""wifi-creds.txt is parsed exactly as the Developer Guide and the original describe."""

from __future__ import annotations

from pathlib import Path

import pytest

from usb_wifi_provisioner.creds import decode_creds_bytes, find_creds_files, parse_wifi_creds, read_wifi_creds

# The template the guide links to (lines 1-12 and 29-40 as printed in the guide).
GUIDE_TEMPLATE = """#####
# Connect the AWS DeepRacer vehicle to Wi-Fi
# File name: wifi-creds.txt
#
# To connect the AWS DeepRacer vehicle to Wi-Fi, type your Wi-Fi name (SSID) and #
# password in the appropriate field at the end of this file. Both values are case #
# sensitive.
#
# For example:
#     ssid: 'Your-WiFi 100'
#     password: 'Passwd1234'
#
# If you have validated the Wi-Fi credentials but the Wi-Fi LED doesn't      #
# turn solid blue, try restarting the vehicle by pressing the reset button.    #
# When the power LED turns blue, plug the USB drive in again.                  #
#                                                               #
# To finish setting up, follow the instructions on https://docs.aws.amazon.com/ #
# deepracer/latest/developerguide/deepracer-troubleshooting-wifi-connection-first # #
# -time.                                                               #
######

# Enter your Wi-Fi name (SSID) and password:
ssid: ''
password: ''
"""

# The troubleshooting chapter's example.
GUIDE_TROUBLESHOOTING = """#####
#                               AWS DeepRacer
# File name: wifi-creds.txt
#
# ...
#####
# Provide your SSID and password below
ssid: ' MyHomeWi-Fi'
password: myWiFiPassword
"""


def test_guide_template_as_downloaded_has_no_ssid():
    creds = parse_wifi_creds(GUIDE_TEMPLATE)
    assert creds.values == {"ssid": "", "password": ""}
    assert not creds.has_ssid


def test_guide_template_filled_in_with_the_example_values():
    text = GUIDE_TEMPLATE.replace("ssid: ''", "ssid: 'Your-WiFi 100'").replace("password: ''", "password: 'Passwd1234'")
    creds = parse_wifi_creds(text)
    assert (creds.ssid, creds.password) == ("Your-WiFi 100", "Passwd1234")


def test_guide_troubleshooting_example_keeps_what_is_inside_the_quotes():
    creds = parse_wifi_creds(GUIDE_TROUBLESHOOTING)
    # The original keeps the leading space inside the quotes (the provisioner retries without it
    # when no such network is visible, see test_wifi_provisioning).
    assert creds.ssid == " MyHomeWi-Fi"
    assert creds.password == "myWiFiPassword"


def test_space_before_the_colon_as_in_the_guide_example():
    # "Verify that each of the field name and value is separated by one colon (:). For example.
    #  ssid : ' MyHomeWi-Fi'"
    assert parse_wifi_creds("ssid : ' MyHomeWi-Fi'").ssid == " MyHomeWi-Fi"


def test_unquoted_values_and_optional_quotes():
    # "If there is no space, using quotation marks is optional."
    assert parse_wifi_creds("password: Passwd1234").password == "Passwd1234"
    assert parse_wifi_creds("password: 'Passwd1234'").password == "Passwd1234"
    assert parse_wifi_creds('password: "Passwd1234"').password == "Passwd1234"


def test_double_quotes_with_spaces_as_in_the_guide_note():
    # "enter the name exactly, including the space, inside the quotation marks ("")"
    assert parse_wifi_creds('ssid: "Your-Wi-Fi 100"').ssid == "Your-Wi-Fi 100"


def test_unquoted_value_with_inner_spaces_is_kept_whole():
    assert parse_wifi_creds("ssid: My Home Network  ").ssid == "My Home Network"


def test_split_at_the_first_colon_only():
    creds = parse_wifi_creds("ssid: Cafe:5G\npassword: a:b:c")
    assert creds.ssid == "Cafe:5G"
    assert creds.password == "a:b:c"


@pytest.mark.parametrize("key", ["ssid", "SSID", "Ssid", "  sSiD  "])
def test_keys_are_case_insensitive(key):
    assert parse_wifi_creds(f"{key}: Home").ssid == "Home"


def test_comments_blank_and_malformed_lines_are_ignored():
    text = "# ssid: Commented\n   # ssid: indented comment\n\nno colon here\n: no key\nssid: Real\n"
    creds = parse_wifi_creds(text)
    assert creds.values == {"ssid": "Real"}


def test_a_hash_inside_a_value_is_part_of_it():
    assert parse_wifi_creds("password: 'ab#cd 12'").password == "ab#cd 12"


def test_last_occurrence_wins_so_an_uncommented_network_overrides_the_empty_template_line():
    text = GUIDE_TEMPLATE + "#ssid: 'Other'\nssid: 'Cafe 5G'\n"
    assert parse_wifi_creds(text).ssid == "Cafe 5G"


def test_only_one_pair_of_each_quote_kind_is_removed():
    assert parse_wifi_creds("password: ''quoted''").password == "'quoted'"
    assert parse_wifi_creds("""password: '"both"'""").password == "both"
    assert parse_wifi_creds("password: 'unbalanced").password == "'unbalanced"


def test_unused_original_keys_are_accepted():
    creds = parse_wifi_creds("ssid: Home\npassword: pw123456\nconnection: home-profile\nforceConnect: true")
    assert creds.values["connection"] == "home-profile"
    assert creds.values["forceconnect"] == "true"
    assert creds.ssid == "Home"


def test_typographic_quotes_from_macos_textedit():
    # The guide warns about TextEdit's quotes; the original kept them as part of the value.
    assert parse_wifi_creds("ssid: \u2018Your-WiFi 100\u2019").ssid == "Your-WiFi 100"
    assert parse_wifi_creds("password: \u201cPass word\u201d").password == "Pass word"


def test_windows_notepad_bom_crlf_and_ansi_code_page():
    data = "\ufeffssid: Caf\u00e9 Wi-Fi\r\npassword: 'x y z 123'\r\n".encode()
    creds = parse_wifi_creds(decode_creds_bytes(data))
    assert creds.ssid == "Caf\u00e9 Wi-Fi"
    assert creds.password == "x y z 123"
    ansi = "ssid: Caf\u00e9\n".encode("cp1252")
    assert parse_wifi_creds(decode_creds_bytes(ansi)).ssid == "Caf\u00e9"


def test_password_never_shown_in_repr():
    creds = parse_wifi_creds("ssid: Home\npassword: s3cret-pass")
    assert "s3cret-pass" not in repr(creds)
    assert "s3cret-pass" not in str(creds)


def test_unreadable_file_gives_no_keys(tmp_path: Path):
    assert read_wifi_creds(tmp_path / "missing.txt").values == {}


def test_creds_files_found_at_the_drive_root_in_a_defined_order(tmp_path: Path):
    (tmp_path / "WiFi-Creds.txt").write_text("ssid: B")
    (tmp_path / "wifi-creds.txt.txt").write_text("ssid: C")
    (tmp_path / "wifi-creds.txt").write_text("ssid: A")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "wifi-creds.txt").write_text("ssid: nested")
    (tmp_path / "._wifi-creds.txt").write_text("mac resource fork")
    names = [p.name for p in find_creds_files(tmp_path)]
    # exact name first, then other letter cases, then the Windows double extension
    assert names[0] == "wifi-creds.txt"
    assert set(names) == {"wifi-creds.txt", "WiFi-Creds.txt", "wifi-creds.txt.txt"} or names == [
        "wifi-creds.txt", "wifi-creds.txt.txt"]  # case-insensitive file systems merge the first two
    assert names.index("wifi-creds.txt.txt") == len(names) - 1
