"""After a quiz form, the next page in one round trip for phones that run ``static/quiz.js``.

Without the script a form is posted, answered with a redirect and the page fetched: two
round trips, 4 seconds on a slow 3G network. The script sends the form in the background
with ``X-Swap: 1``; such a request is answered with the page the redirect would have led to,
its address in ``X-Swap-Location`` for the script to put in the address bar. Post/redirect/get
safety stays: a reload asks for that address with a GET, and the form is never sent twice.
After an answer the following page (the next question, or the results) comes too, so that
"Next question" needs no round trip at all.
"""

from __future__ import annotations

from flask import Response, current_app, make_response, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from .db import get_session

HEADER = "X-Swap"
NEXT_MARK = b"<!--swap-next-->"


def wants_swap() -> bool:
    return request.headers.get(HEADER) == "1"


def render_page(endpoint: str, values: dict) -> Response | None:
    """The page a GET of ``endpoint`` would show, or None when it would not be a plain page."""
    if endpoint.startswith("."):
        endpoint = f"{request.blueprint}{endpoint}"
    response = make_response(current_app.view_functions[endpoint](**values))
    return response if response.status_code == 200 else None


def page_after_post(
    endpoint: str,
    values: dict,
    anchor: str = "",
    following: tuple[str, dict] | None = None,
) -> BaseResponse:
    """A redirect to ``endpoint``, or, for the script, that page and the one after it."""
    url = url_for(endpoint, **values) + anchor
    if not wants_swap():
        return redirect(url)
    # What the POST just stored must show: forget what this request had already loaded.
    get_session().expire_all()
    response = render_page(endpoint, values)
    if response is None:
        return redirect(url)
    response.headers["X-Swap-Location"] = url
    response.headers["Vary"] = HEADER
    if following is not None:
        after = render_page(*following)
        if after is not None:
            response.set_data(response.get_data() + NEXT_MARK + after.get_data())
            response.headers["X-Swap-Next"] = url_for(following[0], **following[1])
    return response
