"""launch_kwargs(): the app is safe by default (RELIABILITY-PLAN check 18)."""

import inspect
from pathlib import Path

import pytest

import qa.ui.launch
from qa.settings import Settings
from qa.ui.documents import MAX_UPLOAD_BYTES, uploads_dir
from qa.ui.launch import UnsafeLaunchError, auth_from_env, is_loopback, launch_kwargs, queue_kwargs, serve


def settings(tmp_path, host="127.0.0.1"):
    return Settings(index_dir=tmp_path / "index", host=host, port=7999)


def test_defaults_are_loopback_private_and_capped(tmp_path):
    kw = launch_kwargs(settings(tmp_path))
    assert kw["server_name"] == "127.0.0.1" and kw["server_port"] == 7999
    assert kw["share"] is False and kw["auth"] is None
    assert kw["max_file_size"] == MAX_UPLOAD_BYTES
    assert kw["allowed_paths"] == []
    assert str((tmp_path / "index").resolve()) in kw["blocked_paths"]
    assert str(uploads_dir(settings(tmp_path))) in kw["blocked_paths"]
    assert kw["mcp_server"] is False and kw["show_error"] is False


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.com"])
def test_network_address_without_auth_is_refused(tmp_path, host):
    with pytest.raises(UnsafeLaunchError, match="without auth"):
        launch_kwargs(settings(tmp_path, host))


def test_network_address_with_auth_is_allowed(tmp_path):
    kw = launch_kwargs(settings(tmp_path, "0.0.0.0"), auth=("alice", "secret"))
    assert kw["server_name"] == "0.0.0.0" and kw["auth"] == ("alice", "secret") and kw["share"] is False


@pytest.mark.parametrize("host, expected", [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True),
                                            ("localhost", True), ("0.0.0.0", False), ("10.0.0.1", False)])
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected


def test_share_is_forced_off(tmp_path):
    assert launch_kwargs(settings(tmp_path), share=True)["share"] is False


def test_document_folders_are_blocked(tmp_path):
    doc = tmp_path / "data" / "report.pdf"
    kw = launch_kwargs(settings(tmp_path), document_paths=(doc,))
    assert str(doc.parent.resolve()) in kw["blocked_paths"]


def test_upload_limit_can_be_lowered_but_is_always_set(tmp_path):
    assert launch_kwargs(settings(tmp_path), max_file_size=1024)["max_file_size"] == 1024


def test_queue_is_bounded():
    kw = queue_kwargs()
    assert 1 <= kw["default_concurrency_limit"] <= 4
    assert 1 <= kw["max_size"] <= 100


def test_every_key_is_a_launch_parameter(tmp_path):
    import gradio as gr

    launch = inspect.signature(gr.Blocks.launch).parameters
    queue = inspect.signature(gr.Blocks.queue).parameters
    assert set(launch_kwargs(settings(tmp_path))) <= set(launch)
    assert set(queue_kwargs()) <= set(queue)


@pytest.mark.parametrize("raw, expected", [("alice:s3cret", ("alice", "s3cret")), ("a:b:c", ("a", "b:c")),
                                           ("", None), ("alice", None), (":pw", None), ("alice:", None)])
def test_auth_from_env(raw, expected):
    assert auth_from_env({"DOCQA_UI_AUTH": raw}) == expected


def test_serve_refuses_a_network_address_before_loading(tmp_path, monkeypatch):
    monkeypatch.delenv("DOCQA_UI_AUTH", raising=False)

    def boom(*a, **k):
        raise AssertionError("loaded the index for an unsafe launch")

    monkeypatch.setattr(qa.ui.launch, "Runtime", boom)
    assert serve(settings(tmp_path, "0.0.0.0")) == 2


def test_analytics_are_off():
    import os

    assert os.environ.get("GRADIO_ANALYTICS_ENABLED") == "False"


def test_serve_is_a_cli_subcommand():
    from qa.cli import build_parser

    args = build_parser().parse_args(["serve", "--index", "x", "--host", "127.0.0.1", "--port", "7861"])
    assert args.func.__name__ == "cmd_serve" and args.port == 7861 and Path(args.index) == Path("x")
