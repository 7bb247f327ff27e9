from fastapi import APIRouter, Request

from insurer.directory.announcements import announcement
from insurer.plugin import InsurerPlugin
from kit.contracts.directory import InsurerAnnounced

router = APIRouter(tags=["identity"])


@router.get(
    "/about", response_model=InsurerAnnounced, summary="Who this insurer instance is (as it announces itself)"
)
async def about(request: Request) -> InsurerAnnounced:
    plugin: InsurerPlugin = request.app.state.plugin
    return announcement(plugin, request.app.state.instance_started_at)
