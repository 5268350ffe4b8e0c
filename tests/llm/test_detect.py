"""Auto-detection of local model servers, against small servers that answer like Ollama and vLLM."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from bankmind.llm.detect import Candidate, detect_servers

from .upstream import FakeUpstream, Reply, closed_port, silent_server

OLLAMA_TAGS = {
    "models": [
        {"name": "bge-m3:latest", "model": "bge-m3:latest", "size": 1157672605},
        {"name": "deepseek-r1:7b", "model": "deepseek-r1:7b", "size": 4683075271},
        {"name": "qwen2.5:7b", "model": "qwen2.5:7b", "size": 4683087332},
    ]
}
VLLM_MODELS = {
    "object": "list",
    "data": [{"id": "deepseek-r1-distill-qwen-32b", "object": "model", "owned_by": "vllm"}],
}


@pytest.fixture
def fake_server() -> Iterator[FakeUpstream]:
    server = FakeUpstream()
    server.start()
    yield server
    server.close()


def test_finds_ollama_and_says_which_settings_use_it(fake_server: FakeUpstream) -> None:
    fake_server.queue(Reply(200, OLLAMA_TAGS))
    [found] = detect_servers(candidates=[Candidate(fake_server.port, "ollama")])
    base = f"http://127.0.0.1:{fake_server.port}/v1"
    assert found.kind == "Ollama"
    assert found.base_url == base
    assert found.models == ["bge-m3:latest", "deepseek-r1:7b", "qwen2.5:7b"]
    assert found.settings == [
        "BANKMIND_CHAT__PROVIDER=openai-compatible",
        f"BANKMIND_CHAT__BASE_URL={base}",
        "BANKMIND_CHAT__MODEL=deepseek-r1:7b",
    ]
    assert found.embedding_settings[-1] == "BANKMIND_EMBEDDING__MODEL=bge-m3:latest"
    assert fake_server.requests[0]["path"] == "/api/tags"


def test_finds_vllm_by_its_model_list(fake_server: FakeUpstream) -> None:
    fake_server.queue(Reply(200, VLLM_MODELS))
    [found] = detect_servers(candidates=[Candidate(fake_server.port, "openai-compatible")])
    assert found.kind == "vLLM"
    assert found.chat_model == "deepseek-r1-distill-qwen-32b"
    assert found.embedding_settings == []
    assert fake_server.requests[0]["path"] == "/v1/models"


def test_ollama_without_api_tags_falls_back_to_v1_models(fake_server: FakeUpstream) -> None:
    fake_server.queue(Reply(404, {"error": "not found"}), Reply(200, {"data": [{"id": "deepseek-r1:14b"}]}))
    [found] = detect_servers(candidates=[Candidate(fake_server.port, "ollama")])
    assert found.kind == "Ollama" and found.models == ["deepseek-r1:14b"]


def test_skips_bankmind_own_port_and_ignores_other_services(fake_server: FakeUpstream) -> None:
    fake_server.queue(Reply(200, {"status": "ok"}))  # an HTTP service that is not a model server
    candidates = [Candidate(fake_server.port, "openai-compatible")]
    assert detect_servers(candidates=candidates) == []
    assert detect_servers(candidates=candidates, skip_ports={fake_server.port}) == []
    assert len(fake_server.requests) == 1


def test_silent_and_closed_ports_are_skipped_quickly() -> None:
    with silent_server() as url:
        silent = int(url.rsplit(":", 1)[1].split("/")[0])
        started = time.monotonic()
        found = detect_servers(
            candidates=[Candidate(silent, "ollama"), Candidate(closed_port(), "openai-compatible")],
            timeout=0.3,
        )
        elapsed = time.monotonic() - started
    assert found == []
    assert elapsed < 1.5  # probes run in parallel, each bounded by the timeout
