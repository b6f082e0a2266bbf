"""The OpenAI provider: the real openai client against a chat completions server on 127.0.0.1."""

import time
from collections.abc import Iterator

import pytest

from seeder.describe.openai_provider import OpenAIProvider, ProviderError, Written
from tests.seeder.openai_server import OpenAIServer, Reply, answer_for
from tests.support import free_port

API_KEY = "sk-test-secret-key"
SYSTEM = "You write short, factual movie descriptions in en."
PROMPT = "Describe the movie Heat (1995).\nGenres: Crime, Drama."


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as server:
        yield server


def make_provider(base_url: str, **options) -> OpenAIProvider:
    settings = {"api_key": API_KEY, "model": "test-model", "timeout": 2.0, "max_retries": 1}
    return OpenAIProvider(base_url=base_url, **settings | options)


def write(provider: OpenAIProvider, prompt: str = PROMPT) -> Written:
    try:
        return provider.write(system=SYSTEM, prompt=prompt, max_tokens=120)
    finally:
        provider.close()


def test_the_answer_comes_back_stripped_with_its_usage(openai_server):
    openai_server.script(Reply(content="  A heist drama in Los Angeles.\n"))

    written = write(make_provider(openai_server.base_url))

    assert written == Written(
        body="A heist drama in Los Angeles.", model="test-model", tokens_in=16, tokens_out=6
    )


def test_the_request_carries_prompt_system_model_limit_and_key(openai_server):
    provider = make_provider(openai_server.base_url)
    assert provider.name == "openai"
    assert provider.model == "test-model"

    written = write(provider)

    assert written.body == answer_for(PROMPT)
    [request] = openai_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.messages == {"system": SYSTEM, "user": PROMPT}
    assert [message["role"] for message in request.body["messages"]] == ["system", "user"]
    assert request.body["model"] == "test-model"
    assert request.body["max_tokens"] == 120
    assert request.body["temperature"] == 0.3
    assert request.headers["authorization"] == f"Bearer {API_KEY}"


def test_a_markdown_answer_comes_back_as_written():
    # Reducing it to prose is the describe stage's work, for every provider alike.
    answer = "## {subject}\n\n**{subject}** is a *crime* drama.\n\nI hope this helps!"
    with OpenAIServer(answers={"Heat": answer}) as server:
        markdown = write(make_provider(server.base_url), "Describe this movie.\nSubject: Heat")
        other = write(make_provider(server.base_url), "Describe this movie.\nSubject: Ronin")

    assert markdown.body == "## Heat\n\n**Heat** is a *crime* drama.\n\nI hope this helps!"
    assert other.body == answer_for("Describe this movie.\nSubject: Ronin")


def test_a_local_server_needs_no_key_and_may_skip_usage(openai_server):
    openai_server.script(Reply(usage=False))

    written = write(make_provider(openai_server.base_url, api_key=None))

    assert written.tokens_in == written.tokens_out == 0
    assert openai_server.requests[0].headers["authorization"] == "Bearer not-needed"


def test_a_base_url_without_v1_also_works(openai_server):
    base_url = openai_server.base_url.removesuffix("/v1")
    assert write(make_provider(base_url)).body == answer_for(PROMPT)
    assert openai_server.requests[0].path == "/chat/completions"


def test_a_429_is_retried(openai_server):
    openai_server.script(Reply.throttled(retry_after="0"))

    assert write(make_provider(openai_server.base_url)).body == answer_for(PROMPT)
    assert len(openai_server.requests) == 2


def test_a_429_waits_what_retry_after_says(openai_server):
    # The client's own backoff before a first retry is at most 0.5 s.
    openai_server.script(Reply.throttled(retry_after="1"))

    write(make_provider(openai_server.base_url))

    first, second = openai_server.requests
    assert second.at - first.at >= 1.0


def test_a_retry_after_beyond_two_minutes_is_not_waited_for(openai_server):
    # The client gives up at once rather than hold a worker for minutes.
    openai_server.script(Reply.throttled(retry_after="600"))
    with pytest.raises(ProviderError, match="answered 429"):
        write(make_provider(openai_server.base_url))
    assert len(openai_server.requests) == 1


def test_a_429_beyond_the_retries_names_the_throttling(openai_server):
    openai_server.script(Reply.throttled(), Reply.throttled())
    with pytest.raises(ProviderError, match="answered 429: throttled"):
        write(make_provider(openai_server.base_url))
    assert len(openai_server.requests) == 2


def test_a_500_is_retried(openai_server):
    openai_server.script(Reply.failed(500))
    assert write(make_provider(openai_server.base_url)).body == answer_for(PROMPT)
    assert len(openai_server.requests) == 2


def test_500s_beyond_the_retries_are_a_provider_error(openai_server):
    openai_server.script(Reply.failed(500), Reply.failed(503))

    with pytest.raises(ProviderError, match="answered 503") as raised:
        write(make_provider(openai_server.base_url))

    assert len(openai_server.requests) == 2  # 1 + max_retries
    assert "The server had an error." in str(raised.value)
    assert "Traceback" not in str(raised.value)


def test_500_without_retries(openai_server):
    openai_server.script(Reply.failed(500))
    with pytest.raises(ProviderError, match=r"answered 500: server error, after 1 attempt\b"):
        write(make_provider(openai_server.base_url, max_retries=0))


def test_a_refused_key_is_not_retried_nor_echoed():
    with OpenAIServer(api_key="the-right-key") as server:
        with pytest.raises(ProviderError, match="answered 401: check OPENAI_API_KEY") as raised:
            write(make_provider(server.base_url))
        assert len(server.requests) == 1
    assert API_KEY not in str(raised.value)


def test_a_slow_answer_times_out(openai_server):
    openai_server.script(Reply.slow(2.0))

    started = time.monotonic()
    with pytest.raises(ProviderError, match=r"timed out \(no answer within 0.5 s"):
        write(make_provider(openai_server.base_url, timeout=0.5, max_retries=0))

    assert time.monotonic() - started < 1.5


def test_a_timeout_is_retried(openai_server):
    openai_server.script(Reply.slow(2.0))
    written = write(make_provider(openai_server.base_url, timeout=0.3, max_retries=1))
    assert written.body == answer_for(PROMPT)
    assert len(openai_server.requests) == 2


@pytest.mark.parametrize(
    "reply",
    [
        Reply.empty(),
        Reply(content="  \n "),
        Reply(body={"id": "x", "object": "chat.completion", "model": "m", "choices": []}),
        Reply(
            body={
                "id": "x",
                "object": "chat.completion",
                "model": "m",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": None},
                        "finish_reason": "length",
                    }
                ],
            }
        ),
    ],
    ids=["empty", "blank", "no-choices", "null-content"],
)
def test_empty_content_is_a_provider_error(openai_server, reply):
    openai_server.script(reply)
    with pytest.raises(ProviderError, match="empty content"):
        write(make_provider(openai_server.base_url))
    assert len(openai_server.requests) == 1


def test_a_refused_connection_is_a_provider_error():
    port = free_port()
    with pytest.raises(ProviderError, match=f"could not connect to 127.0.0.1:{port}") as raised:
        write(make_provider(f"http://user:{API_KEY}@127.0.0.1:{port}/v1", max_retries=0))
    assert API_KEY not in str(raised.value)
