"""Write the static site: HTML pages, a search index and the assets, replacing the directory."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.template import Context, Engine

from secondstory.library.site.collect import collect, file_name

HERE = Path(__file__).resolve().parent
MARKER = ".secondstory-site"
ASSETS = ("site.css", "search.js")


class SiteError(Exception):
    """The site cannot be written where asked; the message says why."""


@dataclass(frozen=True, slots=True)
class Published:
    directory: Path
    postmortems: int
    pages: int


def _engine() -> Engine:
    return Engine(dirs=[str(HERE / "templates")], autoescape=True)


def _url(path: str) -> str:
    return quote(path)


class _Writer:
    def __init__(self, root: Path, *, title: str, base_url: str, roles: bool) -> None:
        self.root = root
        self.engine = _engine()
        self.common = {"site_title": title, "base_url": base_url, "roles": roles}
        self.pages: list[str] = []

    def page(self, path: str, template: str, **context: Any) -> None:
        depth = path.count("/")
        values = {
            **self.common,
            **context,
            "root": "../" * depth,
            "canonical": f"{self.common['base_url']}/{_url(path)}"
            if self.common["base_url"]
            else "",
        }
        html = self.engine.get_template(template).render(Context(values))
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        self.pages.append(path)


def _search_entry(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": p["key"],
        "url": _url(p["file"]),
        "title": p["title"],
        "date": p["date"],
        "severity": p["severity"],
        "summary": p["summary"],
        "services": [s["name"] for s in p["services"]] + [s["slug"] for s in p["services"]],
        "tags": p["tags"],
        "teams": p["teams"],
        "factors": sorted({f["category"] for f in p["factors"]}),
        "text": p["text"],
    }


# What the index and listing pages keep of a postmortem once its own page is written.
LISTED = ("key", "href", "title", "date", "severity", "summary", "service_links")


class _Index:
    """The search index, written entry by entry as JSON and as a script that sets it."""

    PREFIX = "window.SECONDSTORY_INDEX = "

    def __init__(self, root: Path) -> None:
        (root / "assets").mkdir(exist_ok=True)
        self.json = (root / "search-index.json").open("w", encoding="utf-8")
        self.script = (root / "assets" / "search-index.js").open("w", encoding="utf-8")
        self.count = 0

    def add(self, entry: dict[str, Any]) -> None:
        separator = "[\n" if self.count == 0 else ",\n"
        self.json.write(separator + _inert(json.dumps(entry, ensure_ascii=False, sort_keys=True)))
        self.script.write(
            (self.PREFIX + "[\n" if self.count == 0 else ",\n")
            + _inert(json.dumps(entry, sort_keys=True))
        )
        self.count += 1

    def close(self) -> None:
        self.json.write("\n]\n" if self.count else "[]\n")
        self.script.write("\n];\n" if self.count else self.PREFIX + "[];\n")
        self.json.close()
        self.script.close()


def _inert(data: str) -> str:
    """JSON that stays data even if a browser meets it inside HTML."""
    return data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _write_site(root: Path, *, title: str, base_url: str, roles: bool) -> Published:
    writer = _Writer(root, title=title, base_url=base_url, roles=roles)
    listed: list[dict[str, Any]] = []
    by_service: dict[str, list[dict[str, Any]]] = defaultdict(list)
    service_names: dict[str, str] = {}
    by_tag: dict[str, list[dict[str, Any]]] = defaultdict(list)
    index = _Index(root)
    try:
        for page in collect(roles=roles):
            page["href"] = _url(page["file"])
            page["service_links"] = [
                {"name": s["name"], "href": _url(f"services/{file_name(s['slug'])}.html")}
                for s in page["services"]
            ]
            page["tag_links"] = [
                {"name": t, "href": _url(f"tags/{file_name(t)}.html")} for t in page["tags"]
            ]
            writer.page(page["file"], "postmortem.html", pm=page)
            index.add(_search_entry(page))
            row = {name: page[name] for name in LISTED}
            listed.append(row)
            for service in page["services"]:
                by_service[service["slug"]].append(row)
                service_names[service["slug"]] = service["name"]
            for tag in page["tags"]:
                by_tag[tag].append(row)
    finally:
        index.close()
    services = [
        {
            "name": service_names[s],
            "count": len(by_service[s]),
            "href": _url(f"services/{file_name(s)}.html"),
        }
        for s in sorted(by_service, key=lambda s: service_names[s].casefold())
    ]
    tags = [
        {"name": t, "count": len(by_tag[t]), "href": _url(f"tags/{file_name(t)}.html")}
        for t in sorted(by_tag)
    ]
    writer.page("index.html", "index.html", postmortems=listed, services=services, tags=tags)
    writer.page("search.html", "search.html")
    for slug, rows in by_service.items():
        heading = f"Service: {service_names[slug]}"
        writer.page(
            f"services/{file_name(slug)}.html", "listing.html", heading=heading, postmortems=rows
        )
    for tag, rows in by_tag.items():
        writer.page(
            f"tags/{file_name(tag)}.html", "listing.html", heading=f"Tag: {tag}", postmortems=rows
        )
    for asset in ASSETS:
        shutil.copyfile(HERE / "static" / asset, root / "assets" / asset)
    if base_url:
        _sitemap(root, base_url, writer.pages)
    (root / MARKER).write_text("written by secondstory publish-site\n", encoding="utf-8")
    return Published(root, len(listed), len(writer.pages))


def _sitemap(root: Path, base_url: str, paths: list[str]) -> None:
    from xml.sax.saxutils import escape

    rows = "".join(
        f"  <url><loc>{escape(f'{base_url}/{_url(p)}')}</loc></url>\n" for p in sorted(paths)
    )
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{rows}</urlset>\n",
        encoding="utf-8",
    )


def check_target(directory: Path) -> None:
    """Refuse to replace a directory that holds anything but an earlier site."""
    if directory.exists() and not directory.is_dir():
        raise SiteError(f"DIR: {directory} exists and is not a directory")
    if directory.is_dir() and any(directory.iterdir()) and not (directory / MARKER).exists():
        raise SiteError(
            f"DIR: {directory} is not empty and was not written by publish-site; "
            "choose a new or empty directory"
        )


def publish_site(
    directory: Path, *, title: str = "Postmortems", base_url: str = "", roles: bool = False
) -> Published:
    """Build the whole site in a temporary directory next to ``directory``, then swap it in.

    Readers see the old site or the new one, never a half-written mix; running it
    twice on the same data writes the same bytes.
    """
    directory = directory.expanduser().absolute()
    check_target(directory)
    parent = directory.parent
    parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=parent))
    try:
        published = _write_site(building, title=title, base_url=base_url.rstrip("/"), roles=roles)
        _swap(building, directory)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return Published(directory, published.postmortems, published.pages)


def _swap(building: Path, directory: Path) -> None:
    building.chmod(0o755)
    if not directory.exists():
        building.rename(directory)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old.", dir=directory.parent))
    retired.rmdir()
    try:
        directory.rename(retired)
    except OSError:
        # A mount point or a directory we may not rename: swap its contents instead.
        _replace_contents(building, directory)
        return
    try:
        building.rename(directory)
    except OSError:
        retired.rename(directory)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _replace_contents(building: Path, directory: Path) -> None:
    for old in directory.iterdir():
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        else:
            old.unlink()
    for new in building.iterdir():
        new.rename(directory / new.name)
    building.rmdir()
