"""Reads a catalog feed with the real feedparser and prints what a feed reader sees, as JSON:
the feed's title and links, and per entry its title, link, id, summary and categories."""
import json, sys
import feedparser

parsed = feedparser.parse(sys.argv[1])
if parsed.bozo:
    print(json.dumps({"error": str(parsed.bozo_exception)}))
    sys.exit(1)
print(json.dumps({
    "title": parsed.feed.get("title"),
    "links": [(l.get("rel"), l.get("href")) for l in parsed.feed.get("links", [])],
    "entries": [
        {
            "title": e.get("title"),
            "link": e.get("link"),
            "id": e.get("id"),
            "summary": e.get("summary"),
            "updated": e.get("updated"),
            "categories": [t.get("term") for t in e.get("tags", [])],
        }
        for e in parsed.entries
    ],
}))
