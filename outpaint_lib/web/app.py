"""The page and its JSON API (FastAPI): ``/`` the page; ``POST /api/plan`` where a photo of a
size would grow; ``POST /api/paint`` queue an upload; ``GET /api/jobs`` and ``/api/jobs/N`` how
they stand; ``/api/jobs/N/photo.png`` and ``/result.png`` the images. A mistake is a 400 with
one line (``{"error": ...}``), never a traceback."""

from __future__ import annotations

import contextlib
from importlib import resources

from fastapi import APIRouter, FastAPI, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from outpaint_lib.errors import OutpaintError
from outpaint_lib.images import MIN_SIDE
from outpaint_lib.inference import Outpainter
from outpaint_lib.sizing import Target, make_target
from outpaint_lib.web.jobs import Job, PaintQueue, placement

# The largest upload accepted: a camera's JPEG is a few megabytes.
MAX_UPLOAD_BYTES = 40 * 1024 * 1024
# The targets the page offers: a ratio, a size in pixels, or rounds.
TARGET_KINDS = ("aspect", "width", "height", "times")

routes = APIRouter()


def create_app(painter: Outpainter, max_upload_bytes: int = MAX_UPLOAD_BYTES) -> FastAPI:
    """The page, painting with ``painter``; its queue and temporary folder live as long as the app."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.paint_queue = PaintQueue(painter)
        yield
        app.state.paint_queue.close()

    app = FastAPI(title="outpaint", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.max_upload_bytes = max_upload_bytes
    app.add_exception_handler(OutpaintError, _one_line)
    app.middleware("http")(_refuse_large_uploads)
    app.include_router(routes)
    return app


async def _refuse_large_uploads(request: Request, call_next):
    """An upload that says it is over the limit is refused before it is read (and spooled)."""
    length = request.headers.get("content-length", "")
    limit = request.app.state.max_upload_bytes
    if length.isdigit() and int(length) > limit + 64 * 1024:  # room for the form's other fields
        return JSONResponse({"error": _over_the_limit(limit)}, status_code=413)
    return await call_next(request)


@routes.get("/", response_class=HTMLResponse)
def page() -> str:
    return resources.files("outpaint_lib.web").joinpath("index.html").read_text(encoding="utf-8")


@routes.post("/api/plan")
def plan_size(
    request: Request,
    width: int = Form(),
    height: int = Form(),
    kind: str = Form(),
    value: str = Form(),
    side: str = Form(""),
) -> dict:
    if min(width, height) < MIN_SIDE:
        raise OutpaintError(f"a photo must be at least {MIN_SIDE} x {MIN_SIDE} pixels, not {width} x {height}")
    paint_queue = request.app.state.paint_queue
    rounds = paint_queue.painter.plan((height, width), _target(kind, value, side), paint_queue.max_pixels)
    return {**placement((width, height), rounds), "rounds": len(rounds)}


@routes.post("/api/paint")
def paint(
    request: Request,
    photo: UploadFile,
    kind: str = Form(),
    value: str = Form(),
    side: str = Form(""),
    blend: bool = Form(True),
) -> dict:
    limit = request.app.state.max_upload_bytes
    # A plain function: FastAPI runs it on a worker thread, so that decoding the photo does
    # not hold up the page's other requests.
    data = photo.file.read(limit + 1)
    if not data:
        raise OutpaintError(f"{photo.filename or 'the upload'} is empty")
    if len(data) > limit:
        raise OutpaintError(_over_the_limit(limit))
    job = request.app.state.paint_queue.submit(photo.filename or "photo", data, _target(kind, value, side), blend)
    return job.describe()


@routes.get("/api/jobs")
def jobs(request: Request) -> list[dict]:
    return [job.describe() for job in reversed(request.app.state.paint_queue.jobs.values())]


@routes.get("/api/jobs/{number}")
def job(request: Request, number: int) -> dict:
    return _job(request, number).describe()


@routes.get("/api/jobs/{number}/photo.png")
def photo(request: Request, number: int) -> FileResponse:
    _job(request, number)
    return FileResponse(request.app.state.paint_queue.photo_path(number), media_type="image/png")


@routes.get("/api/jobs/{number}/result.png")
def result(request: Request, number: int) -> FileResponse:
    job = _job(request, number)
    if job.state != "done":
        raise OutpaintError(f"photo {number} is {job.state}, not painted yet")
    stem = job.name.rsplit(".", 1)[0]
    path = request.app.state.paint_queue.result_path(number)
    return FileResponse(path, media_type="image/png", filename=f"{stem}-outpainted.png")


def _over_the_limit(limit: int) -> str:
    return f"the upload is over the limit of {limit / 2**20:g} MB"


async def _one_line(_request: Request, error: OutpaintError) -> JSONResponse:
    return JSONResponse({"error": str(error)}, status_code=400)


def _target(kind: str, value: str, side: str) -> Target:
    if kind not in TARGET_KINDS:
        raise OutpaintError(f"the target must be one of {', '.join(TARGET_KINDS)}, not {kind!r}")
    if kind == "aspect":
        return make_target(aspect=value, side=side or None)
    try:
        number = int(value)
    except ValueError:
        raise OutpaintError(f"{kind} must be a whole number, not {value!r}") from None
    return make_target(**{kind: number}, side=side or None)


def _job(request: Request, number: int) -> Job:
    jobs = request.app.state.paint_queue.jobs
    if number not in jobs:
        raise OutpaintError(f"no photo {number} in this session")
    return jobs[number]
