"""The HTTP service against a real server on 127.0.0.1: every task, errors, limits."""

from __future__ import annotations

import time

import pytest
from serve_fixtures import *  # noqa: F403  (fixtures: a conftest.py here would clash)

import seqpred
from seqpred import io

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")


@pytest.fixture(scope="module")
def client(model_files, serving):
    with serving(model_files, max_batch=50, max_k=20) as client:
        yield client


def _error(response, status: int, kind: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status and error["message"]
    if kind is not None:
        assert error["type"] == kind, error
    return error


# -- predictions, one per task -------------------------------------------------------


def test_health_and_models(client):
    assert client.get("/health").json() == {"status": "ok", "models": 6}
    listed = {m["name"]: m for m in client.get("/models").json()["models"]}
    assert listed["clicks"]["task"] == "next-item"
    assert listed["kmer"]["task"] == "classify"
    assert listed["clicks"]["model"] == "markov"
    assert listed["clicks"]["memory_bytes"] > 0 and listed["clicks"]["file_bytes"] > 0
    assert listed["clicks"]["seqpred_version"] == seqpred.__version__
    assert "sessions" in listed["clicks"] and "sessions" not in listed["kmer"]


def test_next_item_matches_the_library(client, model_files):
    queries = [["home", "search"], ["cart"], ["nowhere"]]
    body = client.post(
        "/models/clicks/predict", json={"sequences": queries, "k": 3}
    ).json()
    expected = io.load(model_files["clicks"]).predict_top_k(queries, k=3)
    got = [list(zip(p["items"], p["scores"])) for p in body["predictions"]]
    assert got == [[(s, pytest.approx(p)) for s, p in row] for row in expected]
    assert body["task"] == "next-item" and body["predictions"][2]["items"] == []


def test_cpt_plus_predicts(client, model_files):
    body = client.post(
        "/models/cptplus/predict", json={"sequences": [["home", "search"]]}
    ).json()
    expected = io.load(model_files["cptplus"]).predict_top_k([["home", "search"]], 5)
    assert body["predictions"][0]["items"] == [s for s, _ in expected[0]]


def test_classify(client):
    body = client.post("/models/kmer/predict", json={"sequences": ["abc", "bbb"]})
    out = body.json()
    assert out["labels"] == ["x", "y"] and out["classes"] == ["x", "y"]
    assert [round(sum(row), 6) for row in out["probabilities"]] == [1.0, 1.0]
    plain = client.post(
        "/models/kmer/predict", json={"sequences": ["abc"], "probabilities": False}
    ).json()
    assert "probabilities" not in plain


def test_forecast_with_intervals(client):
    out = client.post(
        "/models/naive/predict",
        json={"sequences": [[1.0, 2.0, 3.0]], "horizon": 2, "coverage": 0.9},
    ).json()
    forecast = out["forecasts"][0]
    assert forecast["mean"] == [3.0, 3.0] and out["coverage"] == 0.9
    triples = zip(forecast["lower"], forecast["mean"], forecast["upper"])
    assert all(lo <= m <= hi for lo, m, hi in triples)


def test_seq2seq_and_generate(client):
    out = client.post("/models/reverse/predict", json={"sequences": ["abc"]}).json()
    assert out["outputs"] == ["cba"]  # string in, string out, as the library
    request = {"n": 3, "max_length": 6, "random_state": 1, "label": "x"}
    first = client.post("/models/writer/predict", json=request).json()
    again = client.post("/models/writer/predict", json=request).json()
    assert len(first["samples"]) == 3 and first == again


# -- errors ----------------------------------------------------------------------------


def test_errors_are_4xx_json_with_the_library_message(client):
    _error(client.post("/models/nope/predict", json={"sequences": []}), 404, "NotFound")
    bad_k = client.post("/models/clicks/predict", json={"sequences": [["a"]], "k": 0})
    assert "k must be an int >= 1" in _error(bad_k, 400)["message"]
    bare = client.post("/models/clicks/predict", json={"sequences": "home"})
    assert _error(bare, 422)["type"] in ("DataError", "ParseError")
    other = client.post("/models/clicks/predict", json={"sequences": [[]], "n": 2})
    assert (
        "does not read ['n']" in _error(other, 400, "InvalidParameterError")["message"]
    )
    unknown = client.post("/models/clicks/predict", json={"sequence": [["a"]]})
    _error(unknown, 422, "RequestValidationError")
    _error(client.post("/models/clicks/predict", content=b"{not json"), 422)
    _error(client.get("/models/kmer/sessions"), 404, "NotFound")
    _error(client.delete("/models/clicks/sessions/never-seen"), 404)
    _error(client.get("/no/such/route"), 404, "NotFound")
    event = client.post("/models/clicks/sessions/s/events", json={"events": [[1]]})
    assert "an event is one item" in _error(event, 422, "DataError")["message"]


def test_limits(client):
    too_many = {"sequences": [["home"]] * 51}
    _error(client.post("/models/clicks/predict", json=too_many), 413, "TooLarge")
    big_k = {"sequences": [["home"]], "k": 21}
    _error(client.post("/models/clicks/predict", json=big_k), 413)
    events = client.post("/models/clicks/sessions/s/events", json={"k": 21})
    _error(events, 413)


def test_body_limit(model_files, serving):
    with serving({"clicks": model_files["clicks"]}, max_body_bytes=200) as client:
        body = {"sequences": [["home"] * 30]}
        _error(client.post("/models/clicks/predict", json=body), 413, "TooLarge")
        chunks = (b'{"sequences": [["home"' + b', "home"' * 40 + b"]]}",)
        streamed = client.post("/models/clicks/predict", content=iter(chunks))
        _error(streamed, 413)
        assert client.post(
            "/models/clicks/predict", json={"sequences": [["home"]]}
        ).is_success


def test_bearer_token(model_files, serving):
    with serving({"clicks": model_files["clicks"]}, token="s3cret") as client:
        assert client.get("/health").status_code == 200  # the probe needs no token
        _error(client.get("/models"), 401, "Unauthorized")
        wrong = client.get("/models", headers={"Authorization": "Bearer nope"})
        assert _error(wrong, 401)["message"].startswith("the bearer token is wrong")
        assert wrong.headers["www-authenticate"].startswith("Bearer")
        good = {"Authorization": "Bearer s3cret"}
        assert client.get("/models", headers=good).status_code == 200
        assert client.get("/metrics", headers=good).status_code == 200


# -- sessions --------------------------------------------------------------------------


def test_session_events_answer_next_items(client, model_files):
    model = io.load(model_files["clicks"])
    first = client.post("/models/clicks/sessions/v1/events", json={"events": ["home"]})
    second = client.post(
        "/models/clicks/sessions/v1/events", json={"events": ["search"], "k": 2}
    ).json()
    assert first.json()["length"] == 1 and second["length"] == 2
    expected = model.predict_top_k([["home", "search"]], k=2)[0]
    assert second["items"] == [s for s, _ in expected]
    assert client.get("/models/clicks/sessions/v1").json()["events"] == [
        "home",
        "search",
    ]
    ended = client.delete("/models/clicks/sessions/v1").json()
    assert ended == {"session": "v1", "ended": True, "learned": False}
    assert client.get("/models/clicks/sessions/v1").status_code == 404


def test_session_bounds_lru_length_ttl(model_files, serving):
    settings = {"max_sessions": 2, "max_session_length": 3, "session_ttl": 0.3}
    with serving(
        {"clicks": model_files["clicks"]}, learn_interval=0.05, **settings
    ) as client:
        for session in ("a", "b", "c"):  # the third evicts the least recently used
            client.post(
                f"/models/clicks/sessions/{session}/events", json={"events": ["home"]}
            )
        stats = client.get("/models/clicks/sessions").json()
        assert stats["sessions"] == 2 and stats["ended"]["lru"] == 1
        assert client.get("/models/clicks/sessions/a").status_code == 404
        long = client.post(
            "/models/clicks/sessions/b/events",
            json={"events": ["search", "product", "cart", "checkout"]},
        ).json()
        assert long["length"] == 2  # 3 held, ended, then 2 more
        assert stats["memory_bytes"] > 0
        time.sleep(0.8)
        stats = client.get("/models/clicks/sessions").json()
        assert stats["sessions"] == 0 and stats["ended"]["ttl"] == 2
        assert stats["ended"]["length"] == 1


def test_learning_from_ended_sessions(model_files, tmp_path, serving, clicks):
    with serving(
        {"clicks": model_files["clicks"]}, state_dir=tmp_path, learn_interval=0.05
    ) as client:
        events = ["home", "search", "product", "cart"]
        client.post("/models/clicks/sessions/x/events", json={"events": events})
        client.delete("/models/clicks/sessions/x")
        deadline = time.monotonic() + 10
        while client.get("/models/clicks/sessions").json()["learned_sessions"] < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        listed = client.get("/models/clicks").json()
        assert listed["generation"] == 2
    offline = seqpred.create("markov", order=2).fit(clicks + [events])
    learned = io.load(sorted(tmp_path.glob("clicks/snapshot-*"))[-1] / "model.seqpred")
    assert learned.n_sequences_ == offline.n_sequences_
    assert [a.tolist() for a in learned.next_counts_] == [
        a.tolist() for a in offline.next_counts_
    ]


def test_reload(client):
    before = client.get("/models/kmer").json()["generation"]
    after = client.post("/models/kmer/reload").json()["generation"]
    assert after == before + 1


def test_metrics_and_docs(client):
    client.get("/health")
    text = client.get("/metrics").text
    assert 'seqpred_requests_total{method="GET",route="/health",status="200"}' in text
    assert "seqpred_request_seconds_bucket" in text
    assert 'seqpred_sessions{model="clicks"}' in text
    assert "seqpred_session_memory_bytes" in text
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert "/models/{name}/sessions/{session_id}/events" in paths


def test_neural_models_share_forward_passes(tmp_path, serving, clicks):
    pytest.importorskip("torch")

    model = seqpred.create("gru", hidden_size=8, max_epochs=1, random_state=0)
    path = io.save(model.fit(clicks[:60]), tmp_path / "gru.seqpred")
    with serving({"gru": path}, batch_wait_ms=50) as client:
        url = str(client.base_url)
        import asyncio

        async def burst() -> list[dict]:
            async with httpx.AsyncClient(base_url=url, timeout=30) as aclient:
                replies = await asyncio.gather(
                    *(
                        aclient.post(
                            "/models/gru/predict",
                            json={"sequences": [["home"], ["cart"]], "k": 2},
                        )
                        for _ in range(8)
                    )
                )
            return [r.json() for r in replies]

        replies = asyncio.run(burst())
        assert all(len(r["predictions"]) == 2 for r in replies)
        batcher = client.app.state.service.models["gru"].batcher
        assert batcher.requests >= 8 and batcher.batches < batcher.requests
        expected = model.predict_top_k([["home"], ["cart"]], 2)
        assert replies[0]["predictions"][0]["items"] == [s for s, _ in expected[0]]
