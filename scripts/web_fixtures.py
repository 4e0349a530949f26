#!/usr/bin/env python3
"""Renders articles as news-site HTML pages and packs them into WARC files.

Two uses:

  python3 scripts/web_fixtures.py
      rewrites tests/fixtures/web/ from corpus/articles.jsonl: pages/ (the 30 corpus
      articles as HTML pages of three kinds of news site), corpus.warc.gz (those pages as
      HTTP responses, with the requests, a warcinfo record and the usual noise of a crawl:
      robots.txt, an image, a stylesheet, a 404, a redirect, a revisit, metadata) and odd/
      (the bad and unusual cases, each named for what it tests).

  python3 scripts/web_fixtures.py --bench 5000 --out /tmp/bench.warc.gz
      writes a large WARC for the throughput benchmark (bench/web_read.sh): 5000 HTML
      responses cycling over the corpus (ids made unique), each with its request, padded
      with inline scripts and styles to the size of real news pages.

Needs warcio (pip install warcio==1.8.1; a throwaway virtualenv is enough:
python3 -m venv /tmp/warcio && /tmp/warcio/bin/pip install warcio==1.8.1). The output is
deterministic: record ids, dates and the gzip headers are fixed.
"""

import argparse
import html
import io
import json
import os
import uuid
from datetime import date

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "corpus", "articles.jsonl")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "web")
CRAWL_DATE = "2026-11-30T12:00:00Z"
HOSTS = ["www.dailypacket.example", "news.northwind.example", "blueteamdiaries.example"]


def esc(text):
    return html.escape(text, quote=True)


def human(day, style):
    d = date.fromisoformat(day)
    month = d.strftime("%B")
    return f"{month} {d.day}, {d.year}" if style == "us" else f"{d.day} {month} {d.year}"


def related(articles, i, n):
    """Headlines of other corpus articles: if an extractor kept them, they would add triples."""
    return [articles[(i + k) % len(articles)]["title"] for k in range(1, n + 1)]


def slug(title):
    return "-".join("".join(c if c.isalnum() else " " for c in title.lower()).split())[:60]


def links(titles, prefix="/news/"):
    return "\n".join(f'<li><a href="{prefix}{slug(t)}">{esc(t)}</a></li>' for t in titles)


def packet_page(article, articles, i, padding=""):
    """A wire-style news site: Open Graph metadata, a cookie banner, nav, an inline
    "Read more" box inside the story, ads, share buttons, a newsletter box, more stories."""
    paras = article["text"].split("\n\n")
    body = []
    for k, p in enumerate(paras):
        body.append(f"<p>{esc(p)}</p>")
        if k == 0:
            body.append(
                '<aside class="related-inline"><h2>Read more</h2><ul>\n'
                + links(related(articles, i, 2))
                + "\n</ul></aside>"
            )
        if k == 1:
            body.append('<div class="ad-slot inline" data-ad="mpu"><span>Advertisement</span></div>')
    day = article["date"]
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(article["title"])} | The Daily Packet</title>
<meta property="og:type" content="article">
<meta property="og:title" content="{esc(article["title"])}">
<meta property="og:site_name" content="The Daily Packet">
<meta property="article:published_time" content="{day}T08:15:00Z">
<meta property="article:modified_time" content="2026-11-29T10:00:00Z">
<link rel="stylesheet" href="/static/main.css">
<script async src="https://ads.adnet.example/tag.js"></script>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"section": "security", "paywall": false}});</script>
<style>.cookie-banner{{position:fixed;bottom:0;width:100%}} .ad-slot{{min-height:250px}}</style>{padding}
</head>
<body>
<div class="cookie-banner" id="consent" role="dialog" aria-label="Cookie consent">
<p>We use cookies and similar technologies to personalise content and ads, to provide social media features and to analyse our traffic. By clicking "Accept all" you agree to the storing of cookies on your device. <a href="/privacy">Privacy policy</a></p>
<button>Accept all</button> <button>Manage preferences</button>
</div>
<header class="masthead">
<a class="logo" href="/">The Daily Packet</a>
<nav class="primary-nav" aria-label="Sections"><ul>
<li><a href="/world">World</a></li><li><a href="/business">Business</a></li><li><a href="/technology">Technology</a></li>
<li><a href="/security">Cyber security</a></li><li><a href="/opinion">Opinion</a></li><li><a href="/newsletters">Newsletters</a></li>
</ul></nav>
<form class="search" action="/search"><input name="q" placeholder="Search the Packet"></form>
</header>
<div class="ad-slot leaderboard"><span>Advertisement</span><iframe src="https://ads.adnet.example/slot/1" title="ad"></iframe></div>
<main id="main">
<article class="story">
<header>
<p class="kicker"><a href="/security">Cyber security</a></p>
<h1 class="headline">{esc(article["title"])}</h1>
<p class="byline">By <a href="/authors/mira-okafor">Mira Okafor</a>, security correspondent</p>
<p class="dateline"><time datetime="{day}T08:15:00Z">{human(day, "uk")}</time></p>
</header>
<div class="story-body">
{chr(10).join(body)}
</div>
<div class="share"><span>Share this story</span> <a href="#">X</a> <a href="#">Facebook</a> <a href="#">LinkedIn</a> <a href="#">Email</a></div>
<div class="tags"><a href="/topics/ransomware">Ransomware</a> <a href="/topics/espionage">Espionage</a> <a href="/topics/data-breaches">Data breaches</a></div>
</article>
<section class="newsletter-signup">
<h2>Get the Packet Security Brief</h2>
<p>The week's breaches, attacks and arrests, in your inbox every Friday.</p>
<form><input type="email" placeholder="Your email"><button>Sign up</button></form>
</section>
<section class="more-stories">
<h2>More from Cyber security</h2>
<ul>
{links(related(articles, i + 2, 5))}
</ul>
</section>
</main>
<footer class="site-footer">
<nav><ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li><li><a href="/terms">Terms of use</a></li><li><a href="/privacy">Privacy</a></li><li><a href="/cookies">Cookie settings</a></li></ul></nav>
<p>&copy; 2026 The Daily Packet Ltd. All rights reserved.</p>
</footer>
<script>(function(){{var s=document.createElement('script');s.src='/static/analytics.js';document.body.appendChild(s);}})();</script>
</body>
</html>
"""


def northwind_page(article, articles, i, padding=""):
    """A broadcaster's site: JSON-LD metadata, a consent dialog, two navigation bars,
    the story as div text blocks with a bold lead, related topics, top stories."""
    paras = article["text"].split("\n\n")
    blocks = []
    for k, p in enumerate(paras):
        inner = f"<b>{esc(p)}</b>" if k == 0 else esc(p)
        blocks.append(f'<div data-component="text-block"><p>{inner}</p></div>')
    day = article["date"]
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article["title"],
        "datePublished": f"{day}T14:02:11.000Z",
        "dateModified": "2026-11-29T09:00:00.000Z",
        "author": {"@type": "Person", "name": "Tomas Brandt"},
        "publisher": {"@type": "Organization", "name": "Northwind News"},
    }
    top = related(articles, i + 7, 4)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>{esc(article["title"])} - Northwind News</title>
<meta name="description" content="{esc(article["text"].split(". ")[0])}.">
<script type="application/ld+json">{json.dumps(ld)}</script>
<script>window.__INITIAL_DATA__ = {{"page": "article", "edition": "international"}};</script>
<noscript><img src="https://stats.northwind.example/pixel.gif" alt=""></noscript>{padding}
</head>
<body>
<div id="consent-overlay" class="fc-consent-root">
<div class="fc-dialog">
<h2>Northwind News asks for your consent to use your personal data to:</h2>
<ul><li>Personalised advertising and content, advertising and content measurement, audience research and services development</li><li>Store and/or access information on a device</li></ul>
<button class="fc-cta-consent">Consent</button> <button class="fc-cta-manage-options">Manage options</button>
</div>
</div>
<a class="skip-link" href="#main-content">Skip to content</a>
<header role="banner">
<nav class="global-nav"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li><li><a href="/iplayer">Watch</a></li><li><a href="/sounds">Listen</a></li></ul></nav>
<nav class="news-nav"><ul><li><a href="/news/world">World</a></li><li><a href="/news/uk">UK</a></li><li><a href="/news/business">Business</a></li><li><a href="/news/technology">Tech</a></li><li><a href="/news/science">Science</a></li><li><a href="/news/health">Health</a></li></ul></nav>
</header>
<main id="main-content">
<article>
<header><h1 id="main-heading">{esc(article["title"])}</h1></header>
<div data-component="byline-block"><span class="author">By Tomas Brandt</span> <span class="role">Technology reporter</span></div>
{chr(10).join(blocks)}
<div data-component="links-block"><h2>Related topics</h2><ul><li><a href="/news/topics/cyber-security">Cyber-security</a></li><li><a href="/news/topics/hacking">Hacking</a></li></ul></div>
</article>
<section data-component="top-stories">
<h2>Top stories</h2>
<ul>
{links(top)}
</ul>
</section>
<section data-component="features"><h2>Features</h2><ul><li><a href="/news/features/1">Inside the race to patch the world's routers</a></li><li><a href="/news/features/2">Why your smart fridge needs an update</a></li></ul></section>
</main>
<footer role="contentinfo">
<ul><li><a href="/terms">Terms of Use</a></li><li><a href="/about">About Northwind</a></li><li><a href="/privacy">Privacy Policy</a></li><li><a href="/cookies">Cookies</a></li><li><a href="/contact">Contact Northwind</a></li></ul>
<p>Copyright 2026 Northwind. Northwind is not responsible for the content of external sites. <a href="/links">Read about our approach to external linking.</a></p>
</footer>
</body>
</html>
"""


def diaries_page(article, articles, i, padding=""):
    """A WordPress blog: <time datetime> only, sidebar widgets, related posts and sharing
    inside the entry content, post navigation, comments, a cookie bar at the end."""
    paras = "\n".join(f"<p>{esc(p)}</p>" for p in article["text"].split("\n\n"))
    day = article["date"]
    rel = related(articles, i + 12, 3)
    rel_posts = "\n".join(
        f'<div class="jp-relatedposts-post"><h4 class="jp-relatedposts-post-title"><a href="/{slug(t)}/">{esc(t)}</a></h4><p class="jp-relatedposts-post-context">In "Incidents"</p></div>'
        for t in rel
    )
    prev_title, next_title = related(articles, i + 20, 2)
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{esc(article["title"])} &#8211; Blue Team Diaries</title>
<link rel="stylesheet" id="twentynineteen-style-css" href="/wp-content/themes/twentynineteen/style.css?ver=1.4" type="text/css" media="all">
<script type="text/javascript">/* <![CDATA[ */ var wpData = {{"ajaxurl":"/wp-admin/admin-ajax.php","nonce":"a1b2c3"}}; /* ]]> */</script>{padding}
</head>
<body class="post-template-default single single-post postid-{100 + i} single-format-standard">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="/" rel="home">Blue Team Diaries</a></p><p class="site-description">Notes from the incident desk</p></div>
<nav id="site-navigation" class="main-navigation" aria-label="Top Menu"><ul id="menu-primary" class="main-menu"><li><a href="/">Home</a></li><li><a href="/category/incidents/">Incidents</a></li><li><a href="/category/threat-actors/">Threat actors</a></li><li><a href="/about/">About</a></li></ul></nav>
</header>
<div id="content" class="site-content">
<div id="primary" class="content-area">
<main id="main" class="site-main">
<article id="post-{100 + i}" class="post-{100 + i} post type-post status-publish format-standard hentry category-incidents entry">
<header class="entry-header">
<h1 class="entry-title">{esc(article["title"])}</h1>
<div class="entry-meta"><span class="posted-on">Posted on <a href="/{slug(article["title"])}/" rel="bookmark"><time class="entry-date published" datetime="{day}T07:45:00+00:00">{human(day, "us")}</time></a></span> <span class="byline">by <span class="author vcard"><a class="url fn n" href="/author/admin/">admin</a></span></span></div>
</header>
<div class="entry-content">
{paras}
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3><ul><li><a class="share-twitter" href="#">Twitter</a></li><li><a class="share-facebook" href="#">Facebook</a></li></ul></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Related</em></h3>
{rel_posts}
</div>
</div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="/category/incidents/" rel="category tag">Incidents</a></span> <span class="tags-links">Tagged <a href="/tag/ransomware/" rel="tag">ransomware</a></span></footer>
</article>
<nav class="navigation post-navigation" aria-label="Posts"><h2 class="screen-reader-text">Post navigation</h2><div class="nav-links"><div class="nav-previous"><a href="/{slug(prev_title)}/" rel="prev"><span class="meta-nav">Previous Post</span> <span class="post-title">{esc(prev_title)}</span></a></div><div class="nav-next"><a href="/{slug(next_title)}/" rel="next"><span class="meta-nav">Next Post</span> <span class="post-title">{esc(next_title)}</span></a></div></div></nav>
<div id="comments" class="comments-area">
<h2 class="comments-title">One thought on &ldquo;{esc(article["title"])}&rdquo;</h2>
<ol class="comment-list"><li id="comment-{i}" class="comment even thread-even depth-1"><article class="comment-body"><footer class="comment-meta"><div class="comment-author vcard"><b class="fn">j.doe</b> <span class="says">says:</span></div><div class="comment-metadata"><time datetime="2026-11-29T18:20:00+00:00">November 29, 2026 at 6:20 pm</time></div></footer><div class="comment-content"><p>Great write-up. Patch early, patch often.</p></div></article></li></ol>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3><form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form"><p class="comment-notes">Your email address will not be published.</p><textarea id="comment" name="comment"></textarea><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></form></div>
</div>
</main>
</div>
<aside id="secondary" class="widget-area" role="complementary">
<section id="search-2" class="widget widget_search"><form role="search" method="get" class="search-form" action="/"><input type="search" class="search-field" placeholder="Search &hellip;" name="s"></form></section>
<section id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul>
{links(related(articles, i + 4, 5), "/")}
</ul></section>
<section id="archives-2" class="widget widget_archive"><h2 class="widget-title">Archives</h2><ul><li><a href="/2026/11/">November 2026</a></li><li><a href="/2026/10/">October 2026</a></li></ul></section>
</aside>
</div>
<footer id="colophon" class="site-footer"><div class="site-info"><a href="https://wordpress.example/">Proudly powered by WordPress</a> | Theme: Twenty Nineteen</div></footer>
</div>
<div id="cookie-law-info-bar"><span>This website uses cookies to improve your experience. We'll assume you're ok with this, but you can opt-out if you wish. <a role="button" class="cli_action_button">Accept</a> <a href="/privacy/" class="cli-plugin-main-link">Read More</a></span></div>
<script type="text/javascript" src="/wp-includes/js/wp-embed.min.js?ver=5.2"></script>
</body>
</html>
"""


SITES = [packet_page, northwind_page, diaries_page]


def page_for(article, articles, i, padding=""):
    return SITES[i % len(SITES)](article, articles, i, padding)


def url_for(article, i):
    return f"https://{HOSTS[i % len(HOSTS)]}/{article['date'][:4]}/{article['id']}"


def record_id(*parts):
    return "<urn:uuid:%s>" % uuid.uuid5(uuid.NAMESPACE_URL, "/".join(map(str, parts)))


class Warc:
    """A WARC being written, with fixed record ids and dates."""

    def __init__(self, stream, gzip_members):
        self.writer = WARCWriter(stream, gzip=gzip_members)
        self.n = 0

    def write(self, kind, uri, payload=b"", http=None, warc_date=CRAWL_DATE, content_type=None, extra=None):
        self.n += 1
        headers = {"WARC-Record-ID": record_id(kind, uri, self.n), "WARC-Date": warc_date}
        headers.update(extra or {})
        record = self.writer.create_warc_record(
            uri,
            kind,
            payload=io.BytesIO(payload),
            http_headers=http,
            warc_headers_dict=headers,
            warc_content_type=content_type,
            length=None if http else len(payload),
        )
        self.writer.write_record(record)

    def info(self):
        self.n += 1
        record = self.writer.create_warcinfo_record(
            "cyberie-fixtures.warc.gz",
            {"software": "cyberie scripts/web_fixtures.py (warcio)", "format": "WARC File Format 1.0"},
        )
        record.rec_headers.replace_header("WARC-Record-ID", record_id("warcinfo", self.n))
        record.rec_headers.replace_header("WARC-Date", CRAWL_DATE)
        self.writer.write_record(record)

    def exchange(self, uri, body, status="200 OK", content_type="text/html; charset=utf-8", extra_http=()):
        """A request and its response."""
        host = uri.split("/")[2]
        path = "/" + "/".join(uri.split("/")[3:])
        request = StatusAndHeaders(
            f"GET {path} HTTP/1.1", [("Host", host), ("User-Agent", "cyberie-fixtures/1.0")], is_http_request=True
        )
        self.write("request", uri, http=request)
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))] + list(extra_http)
        self.write("response", uri, body, http=StatusAndHeaders(status, headers, protocol="HTTP/1.1"))


def load_corpus():
    with open(CORPUS, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def corpus_warc(articles, pages):
    """The corpus pages as responses, amid the noise of a real crawl."""
    out = io.BytesIO()
    warc = Warc(out, gzip_members=True)
    warc.info()
    for i, (article, page) in enumerate(zip(articles, pages)):
        uri = url_for(article, i)
        if i % 10 == 0:
            host = uri.split("/")[2]
            robots = b"User-agent: *\nDisallow: /search\n"
            warc.exchange(f"https://{host}/robots.txt", robots, content_type="text/plain")
        warc.exchange(uri, page)
        warc.write(
            "metadata",
            uri,
            b"via: https://news.aggregator.example/\nhopsFromSeed: L\n",
            content_type="application/warc-fields",
            extra={"WARC-Concurrent-To": record_id("response", uri, warc.n)},
        )
        if i == 4:
            warc.exchange(uri.rsplit("/", 1)[0] + "/lead.png", PNG, content_type="image/png")
            warc.exchange(
                "https://" + uri.split("/")[2] + "/static/main.css", b"body{margin:0}", content_type="text/css"
            )
        if i == 11:
            missing = b"<html><head><title>Page not found</title></head><body><h1>404</h1><p>Sorry, that page does not exist.</p></body></html>"
            warc.exchange(uri + "-old", missing, status="404 Not Found")
            warc.exchange(uri + "?amp=1", b"", status="301 Moved Permanently", extra_http=[("Location", uri)])
        if i == 17:
            warc.write(
                "revisit",
                uri,
                b"",
                content_type="application/http; msgtype=response",
                extra={
                    "WARC-Profile": "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest",
                    "WARC-Refers-To-Target-URI": uri,
                },
            )
    return out.getvalue()


def odd_pages():
    """Single HTML pages with a charset of their own, or no article at all."""
    story = (
        "Hackers linked to the Sandworm group breached Société Générale des Eaux, the French water "
        "company said on Monday, after an intrusion that began in early March. The company said the "
        "attackers reached billing systems but not the plants themselves, and that customers' bank "
        "details were not exposed. French investigators are working with the national cyber agency, "
        "ANSSI, which said the tools used matched earlier attacks by the group on Ukrainian utilities."
    )
    title = "Sandworm breached French water company, officials say"
    shell = (
        '<!DOCTYPE html><html><head>{meta}<title>{title} | Le Réseau</title>'
        '<meta property="article:published_time" content="2026-04-13T06:00:00+02:00"></head><body>'
        '<nav><ul><li><a href="/">Accueil</a></li><li><a href="/cyber">Cyber</a></li></ul></nav>'
        "<article><h1>{title}</h1><p>{story}</p><p>The company, which serves 1.2 million homes, "
        "declined to say whether it had been asked for a ransom.</p></article>"
        "<footer><p>Le Réseau &copy; 2026</p></footer></body></html>"
    )
    no_text = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Live: markets</title>'
        "<script>loadApp();</script></head><body><nav><ul><li><a href='/'>Home</a></li>"
        "<li><a href='/live'>Live</a></li></ul></nav><div id='app'></div>"
        "<noscript>Please enable JavaScript to view this page.</noscript></body></html>"
    )
    page = lambda meta: shell.format(meta=meta, title=title, story=story)  # noqa: E731
    return {
        # Declared in a <meta charset>: decoded.
        "windows-1252.html": page('<meta charset="windows-1252">').encode("cp1252"),
        # Declared in the http-equiv form, in another encoding: decoded.
        "iso-8859-15-http-equiv.html": page(
            '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15">'
        ).encode("iso-8859-15"),
        # Not UTF-8 and nothing declared: the HTML standard would guess; skipped.
        "undeclared-latin1.html": page("").encode("latin-1"),
        # A charset no one knows: skipped.
        "unknown-charset.html": page('<meta charset="x-mac-klingon">').encode("latin-1"),
        # Navigation and a script, no article: skipped.
        "no-text.html": no_text.encode("utf-8"),
    }


def odd_warcs(articles, pages):
    """WARC files with the bad cases: a broken gzip member, a truncated file, HTTP charsets."""
    files = {}

    # Three pages, one gzip member each; the middle response's deflate data is damaged.
    out = io.BytesIO()
    warc = Warc(out, gzip_members=True)
    offsets = []
    for i in range(3):
        offsets.append(out.tell())
        warc.write("response", url_for(articles[i], i), pages[i], http=http_ok())
    data = bytearray(out.getvalue())
    middle = offsets[1] + (offsets[2] - offsets[1]) // 2
    data[middle : middle + 16] = b"\x00" * 16
    files["broken-member.warc.gz"] = bytes(data)

    # Three pages; the file ends in the middle of the third response.
    out = io.BytesIO()
    warc = Warc(out, gzip_members=True)
    for i in range(3):
        if i == 2:
            cut = out.tell()
        warc.write("response", url_for(articles[i], i), pages[i], http=http_ok())
    data = out.getvalue()
    files["truncated.warc.gz"] = data[: cut + (len(data) - cut) // 2]

    # Uncompressed: charsets from the HTTP header, a page without a date, a record
    # without a target URI, and a truncated end.
    out = io.BytesIO()
    warc = Warc(out, gzip_members=False)
    story = (
        "<p>Criminals using the Qilin ransomware struck Hôpital Saint-Éloi in Lyon on Friday, "
        "forcing staff to turn away ambulances, the hospital said.</p><p>The gang said on its leak "
        "site that it had stolen patient records, a claim the hospital did not dispute.</p>"
    )
    page = (
        "<html><head><title>Qilin ransomware hits Lyon hospital</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/cyber'>Cyber</a></nav><article><h1>Qilin ransomware hits "
        "Lyon hospital</h1>" + story + "</article><footer>Copyright 2026</footer></body></html>"
    )
    warc.write(
        "response",
        "https://lyon.example/qilin-latin1",
        page.encode("latin-1"),
        http=http_ok("text/html; charset=iso-8859-1"),
        warc_date="2026-06-12T09:00:00Z",
    )
    warc.write(
        "response",
        "https://lyon.example/qilin-klingon",
        page.encode("latin-1"),
        http=http_ok("text/html; charset=x-klingon"),
    )
    warc.write(
        "response",
        "https://lyon.example/qilin-json",
        b'{"headline": "Qilin ransomware hits Lyon hospital"}',
        http=http_ok("application/json"),
    )
    # A response record without WARC-Target-URI: its id is the WARC-Record-ID.
    raw = io.BytesIO()
    Warc(raw, gzip_members=False).write(
        "response", "https://lyon.example/qilin-anonymous", page.encode("utf-8"), http=http_ok()
    )
    lines = raw.getvalue().split(b"\r\n")
    out.write(b"\r\n".join(line for line in lines if not line.startswith(b"WARC-Target-URI:")))
    before_last = out.tell()
    warc.write("response", url_for(articles[0], 0), pages[0], http=http_ok())
    data = out.getvalue()
    files["headers.warc"] = data[: before_last + (len(data) - before_last) * 2 // 3]
    return files


def http_ok(content_type="text/html; charset=utf-8"):
    return StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")


def fixtures():
    articles = load_corpus()
    pages = [page_for(a, articles, i).encode("utf-8") for i, a in enumerate(articles)]
    for article, page in zip(articles, pages):
        write(os.path.join(FIXTURES, "pages", article["id"] + ".html"), page)
    write(os.path.join(FIXTURES, "corpus.warc.gz"), corpus_warc(articles, pages))
    for name, data in {**odd_pages(), **odd_warcs(articles, pages)}.items():
        write(os.path.join(FIXTURES, "odd", name), data)
    print(f"wrote {len(pages)} pages, corpus.warc.gz and the odd cases under {FIXTURES}")


def padding_block(n):
    """Inline script and style of about `n` bytes, the ballast of real news pages."""
    script = "".join(
        f'window.__cfg{k} = {{"slot": "mpu-{k}", "sizes": [[300,250],[300,600]], "targeting": {{"section": "security", "pos": {k}}}}};\n'
        for k in range(n // 200)
    )
    style = "".join(f".c{k}{{margin:{k % 7}px;padding:{k % 5}px;color:#{k % 999:03d}}}\n" for k in range(n // 100))
    return f"\n<script>{script}</script>\n<style>{style}</style>"


def bench(n, path, pad):
    """`n` HTML responses (each with its request) cycling over the corpus."""
    articles = load_corpus()
    padding = padding_block(pad)
    with open(path, "wb") as f:
        warc = Warc(f, gzip_members=path.endswith(".gz"))
        warc.info()
        for k in range(n):
            i = k % len(articles)
            article = dict(articles[i], id=f"{articles[i]['id']}-{k}")
            page = page_for(article, articles, i, padding).encode("utf-8")
            warc.exchange(url_for(article, i), page)
    print(f"wrote {path}: {n} responses, {2 * n + 1} records, {os.path.getsize(path) / 1e6:.1f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", type=int, metavar="N", help="write a benchmark WARC of N HTML responses")
    parser.add_argument("--out", help="the benchmark WARC (.warc or .warc.gz)")
    parser.add_argument("--pad", type=int, default=60_000, help="inline script/style bytes per benchmark page")
    args = parser.parse_args()
    if args.bench:
        if not args.out:
            parser.error("--bench needs --out")
        bench(args.bench, args.out, args.pad)
    else:
        fixtures()


if __name__ == "__main__":
    main()
