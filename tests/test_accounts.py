"""Every URL or short form of an account parses to one canonical AccountRef; the rest is refused
with a reason the user can act on."""

from __future__ import annotations

import string
from dataclasses import dataclass

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain import Platform
from bot.domain.accounts import (
    _SITES,
    FACEBOOK_RESERVED,
    HOST_PREFIXES,
    INSTAGRAM_RESERVED,
    TELEGRAM_RESERVED,
    X_RESERVED,
    AccountRef,
    _parse_any,
    _parse_simple_url,
    _pk_mobile_fast,
    _site_host,
    _whatsapp_number,
    join_spaced_phone,
    parse_account,
)
from bot.domain.errors import UsageError

X = Platform.X
FB = Platform.FACEBOOK
IG = Platform.INSTAGRAM
TT = Platform.TIKTOK
TG = Platform.TELEGRAM
WA = Platform.WHATSAPP
YT = Platform.YOUTUBE

CHANNEL_ID = "UCx9Kb3YtQ_Pz-8mN2wLrA7c"

ACCEPTED = [
    # X / Twitter
    ("x.com/Foo", X, "foo"),
    ("https://x.com/foo", X, "foo"),
    ("https://twitter.com/foo?s=20", X, "foo"),
    ("http://www.twitter.com/Foo_Bar", X, "foo_bar"),
    ("https://mobile.twitter.com/foo", X, "foo"),
    ("https://x.com/foo/status/1789012345678901234", X, "foo"),
    ("https://x.com/Foo/status/1789012345678901234/photo/1?s=46&t=abc", X, "foo"),
    ("HTTPS://X.COM/FOO/", X, "foo"),
    ("twitter.com/foo#replies", X, "foo"),
    ("https://twitter.com/#!/Foo", X, "foo"),
    ("https://m.twitter.com/foo/media", X, "foo"),
    ("  <https://x.com/foo>  ", X, "foo"),
    ("x:@Foo", X, "foo"),
    ("X:foo", X, "foo"),
    ("twitter:@foo", X, "foo"),
    # Facebook
    ("https://www.facebook.com/Some.Page", FB, "some.page"),
    ("facebook.com/somepage/", FB, "somepage"),
    ("https://m.facebook.com/somepage?ref=bookmarks", FB, "somepage"),
    ("fb.com/SomePage", FB, "somepage"),
    ("https://web.facebook.com/somepage/posts/pfbid02abc", FB, "somepage"),
    ("https://m.facebook.com/profile.php?id=100012345678", FB, "id:100012345678"),
    ("https://www.facebook.com/profile.php?id=100012345678&sk=about", FB, "id:100012345678"),
    ("https://www.facebook.com/100012345678", FB, "id:100012345678"),
    ("https://www.facebook.com/people/Some-Name/100089123456789/", FB, "id:100089123456789"),
    ("https://www.facebook.com/p/Some-Page-100064123456789/", FB, "id:100064123456789"),
    ("https://www.facebook.com/groups/1234567890123/", FB, "group:1234567890123"),
    ("https://facebook.com/groups/SomeGroup/posts/987654321", FB, "group:somegroup"),
    ("https://www.facebook.com/pg/SomePage/posts/", FB, "somepage"),
    ("facebook:somepage", FB, "somepage"),
    ("FB:@Some.Page", FB, "some.page"),
    ("facebook:id:100012345678", FB, "id:100012345678"),
    ("fb:group:somegroup", FB, "group:somegroup"),
    ("facebook:100012345678", FB, "id:100012345678"),
    # Instagram
    ("https://www.instagram.com/Foo.Bar/", IG, "foo.bar"),
    ("instagram.com/foo_bar?igsh=MWQ1ZGUxMzBkMA==", IG, "foo_bar"),
    ("https://instagram.com/foo/reel/C1a2B3c4D5e/", IG, "foo"),
    ("https://www.instagram.com/foo/p/C1a2B3c4D5e/", IG, "foo"),
    ("https://instagr.am/Foo", IG, "foo"),
    ("https://www.instagram.com/stories/foo/3301234567890123456/", IG, "foo"),
    ("https://m.instagram.com/foo", IG, "foo"),
    ("instagram:@Foo", IG, "foo"),
    ("ig:foo.bar", IG, "foo.bar"),
    # TikTok
    ("https://www.tiktok.com/@Foo.Bar", TT, "foo.bar"),
    ("tiktok.com/@foo_bar?lang=en", TT, "foo_bar"),
    ("https://www.tiktok.com/@foo/video/7301234567890123456?is_from_webapp=1", TT, "foo"),
    ("https://m.tiktok.com/@foo", TT, "foo"),
    ("https://www.tiktok.com/%40foo", TT, "foo"),
    ("tiktok:@Foo", TT, "foo"),
    ("TikTok:foo", TT, "foo"),
    # Telegram
    ("https://t.me/FooChannel", TG, "foochannel"),
    ("t.me/foochannel/", TG, "foochannel"),
    ("https://telegram.me/foochannel", TG, "foochannel"),
    ("https://t.me/s/FooChannel", TG, "foochannel"),
    ("https://t.me/foochannel/1234", TG, "foochannel"),
    ("https://t.me/foochannel/1234?single", TG, "foochannel"),
    ("https://www.t.me/foo_channel", TG, "foo_channel"),
    ("https://t.me/+AbCdEf-12_xyz", TG, "+AbCdEf-12_xyz"),
    ("https://t.me/joinchat/AbCdEf-12_xyz", TG, "+AbCdEf-12_xyz"),
    ("https://telegram.me/joinchat/AAAAAEx1Yz2", TG, "+AAAAAEx1Yz2"),
    ("telegram:@FooChannel", TG, "foochannel"),
    ("tg:foochannel", TG, "foochannel"),
    ("telegram:+AbCdEf-12_xyz", TG, "+AbCdEf-12_xyz"),
    # WhatsApp
    ("https://wa.me/923001234567", WA, "+923001234567"),
    ("wa.me/923001234567?text=hello", WA, "+923001234567"),
    ("https://wa.me/+923001234567", WA, "+923001234567"),
    ("https://api.whatsapp.com/send?phone=923001234567", WA, "+923001234567"),
    (
        "https://api.whatsapp.com/send/?phone=%2B923001234567&text&type=phone_number",
        WA,
        "+923001234567",
    ),
    ("https://web.whatsapp.com/send?phone=923451234567", WA, "+923451234567"),
    ("whatsapp:+923001234567", WA, "+923001234567"),
    ("whatsapp:03451234567", WA, "+923451234567"),
    ("wa:0345-1234567", WA, "+923451234567"),
    ("wa:00923001234567", WA, "+923001234567"),
    ("whatsapp:+12025550143", WA, "+12025550143"),
    ("03451234567", WA, "+923451234567"),
    ("+923001234567", WA, "+923001234567"),
    ("https://chat.whatsapp.com/KxZ9aBcDeFgHiJkLmNoPqR", WA, "invite:KxZ9aBcDeFgHiJkLmNoPqR"),
    ("chat.whatsapp.com/invite/KxZ9aBcDeFgHiJkLmNoPqR", WA, "invite:KxZ9aBcDeFgHiJkLmNoPqR"),
    (
        "https://whatsapp.com/channel/0029VaXyZ123AbCdEfGh4i5J",
        WA,
        "channel:0029VaXyZ123AbCdEfGh4i5J",
    ),
    (
        "https://www.whatsapp.com/channel/0029VaXyZ123AbCdEfGh4i5J",
        WA,
        "channel:0029VaXyZ123AbCdEfGh4i5J",
    ),
    ("whatsapp:invite:KxZ9aBcDeFgHiJkLmNoPqR", WA, "invite:KxZ9aBcDeFgHiJkLmNoPqR"),
    ("wa:channel:0029VaXyZ123AbCdEfGh4i5J", WA, "channel:0029VaXyZ123AbCdEfGh4i5J"),
    # YouTube
    ("https://www.youtube.com/@FooNews", YT, "foonews"),
    ("youtube.com/@foo.news-24/videos", YT, "foo.news-24"),
    ("https://m.youtube.com/@FooNews?si=abc", YT, "foonews"),
    ("https://www.youtube.com/@foonews/live", YT, "foonews"),
    (f"https://www.youtube.com/channel/{CHANNEL_ID}", YT, f"channel:{CHANNEL_ID}"),
    (f"https://youtube.com/channel/{CHANNEL_ID}/videos", YT, f"channel:{CHANNEL_ID}"),
    (f"https://music.youtube.com/channel/{CHANNEL_ID}", YT, f"channel:{CHANNEL_ID}"),
    ("https://www.youtube.com/c/FooNews", YT, "c:foonews"),
    ("https://www.youtube.com/user/FooNews/featured", YT, "user:foonews"),
    ("https://www.youtube.com/FooNews", YT, "c:foonews"),
    ("youtube:@FooNews", YT, "foonews"),
    ("yt:foonews", YT, "foonews"),
    (f"youtube:channel:{CHANNEL_ID}", YT, f"channel:{CHANNEL_ID}"),
    ("yt:c:FooNews", YT, "c:foonews"),
    ("youtube:user:FooNews", YT, "user:foonews"),
]


@pytest.mark.parametrize(("text", "platform", "handle"), ACCEPTED)
def test_every_url_and_short_form_gives_the_canonical_account(
    text: str, platform: Platform, handle: str
) -> None:
    ref = parse_account(text)
    assert ref == AccountRef(platform, handle)
    assert parse_account(ref.url) == ref
    assert parse_account(ref.short) == ref


def test_x_com_and_twitter_com_with_query_are_the_same_account() -> None:
    assert parse_account("x.com/Foo") == parse_account("twitter.com/foo?s=20")


@pytest.mark.parametrize(
    ("ref", "url", "short"),
    [
        (AccountRef(X, "foo"), "https://x.com/foo", "x:@foo"),
        (AccountRef(FB, "foo.bar"), "https://www.facebook.com/foo.bar", "facebook:foo.bar"),
        (
            AccountRef(FB, "id:123"),
            "https://www.facebook.com/profile.php?id=123",
            "facebook:id:123",
        ),
        (AccountRef(FB, "group:abc"), "https://www.facebook.com/groups/abc", "facebook:group:abc"),
        (AccountRef(IG, "foo"), "https://www.instagram.com/foo/", "instagram:@foo"),
        (AccountRef(TT, "foo"), "https://www.tiktok.com/@foo", "tiktok:@foo"),
        (AccountRef(TG, "foochannel"), "https://t.me/foochannel", "telegram:@foochannel"),
        (AccountRef(TG, "+AbCd12"), "https://t.me/+AbCd12", "telegram:+AbCd12"),
        (AccountRef(WA, "+923001234567"), "https://wa.me/923001234567", "whatsapp:+923001234567"),
        (
            AccountRef(WA, "invite:AbC123"),
            "https://chat.whatsapp.com/AbC123",
            "whatsapp:invite:AbC123",
        ),
        (AccountRef(YT, "foo"), "https://www.youtube.com/@foo", "youtube:@foo"),
        (AccountRef(YT, "c:foo"), "https://www.youtube.com/c/foo", "youtube:c:foo"),
    ],
)
def test_canonical_url_and_short_form(ref: AccountRef, url: str, short: str) -> None:
    assert (ref.url, ref.short) == (url, short)


REJECTED = [
    # reserved paths name the path
    ("https://x.com/home", "home"),
    ("x.com/explore", "explore"),
    ("https://twitter.com/i/web/status/123", "a link to an X post that does not name its account"),
    ("x.com/i/lists/123", "'i' is a reserved"),
    ("t.me/c/123/45", "a message in a private Telegram channel or group"),
    ("https://x.com/search?q=ttp", "search"),
    ("https://twitter.com/intent/tweet?text=hi", "intent"),
    ("x:@settings", "reserved"),
    ("https://www.facebook.com/login", "login"),
    ("https://www.facebook.com/watch/?v=123", "open the link"),
    ("https://www.facebook.com/marketplace/item/1", "marketplace"),
    ("https://www.facebook.com/home.php", "home.php"),
    ("https://m.facebook.com/profile.php", "profile id"),
    ("https://www.facebook.com/groups/", "facebook.com/groups/ID"),
    ("https://www.facebook.com/share/1AbCdEf/", "can't be resolved offline"),
    ("https://www.instagram.com/p/C1a2B3c4D5e/", "post link without its owner"),
    ("https://www.instagram.com/reel/C1a2B3c4D5e/", "post link without its owner"),
    ("https://www.instagram.com/explore/tags/x/", "explore"),
    ("https://www.instagram.com/accounts/login/", "accounts"),
    ("https://vm.tiktok.com/ZMabc123/", "open the link"),
    ("https://www.tiktok.com/t/ZTabc123/", "can't be resolved offline"),
    ("https://www.tiktok.com/foo", "tiktok.com/@NAME"),
    ("https://t.me/joinchat", "without an invite code"),
    ("https://t.me/joinchat/", "without an invite code"),
    ("https://t.me/addstickers/SomePack", "addstickers"),
    ("https://t.me/share/url?url=x", "share"),
    ("https://t.me/+923001234567", "phone-number link"),
    ("https://t.me/abc", "4-32"),
    ("https://wa.me/12345", "not a valid phone number"),
    ("whatsapp:+92300", "not a valid phone number"),
    ("wa:call-me-maybe", "not a valid phone number"),
    ("https://wa.me/message/ABCDEF123", "open the link"),
    ("https://www.whatsapp.com/channel/", "whatsapp.com/channel/ID"),
    ("https://www.whatsapp.com/download", "no number, group or channel"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "video"),
    ("https://youtu.be/dQw4w9WgXcQ", "channel"),
    ("https://www.youtube.com/shorts/abc123", "video"),
    ("https://www.youtube.com/feed/subscriptions", "feed"),
    ("https://www.youtube.com/channel/not-an-id", "UC"),
    # unknown sites, platforms and garbage
    ("https://example.com/foo", "X, Facebook, Instagram, TikTok, Telegram, WhatsApp, YouTube"),
    ("https://www.reddit.com/user/foo", "supported platforms"),
    ("snapchat:@foo", "Unknown platform 'snapchat'"),
    ("", "No account given"),
    ("   ", "No account given"),
    ("<>", "No account given"),
    ("@foo", "which platform"),
    ("foo", "platform:@name"),
    ("x:", "No account after"),
    ("x.com/foo bar", "without spaces"),
    ("x.com/foo\x00", "control characters"),
    ("x.com/" + "a" * 5000, "too long"),
    ("ftp://x.com/foo", "http(s)"),
    ("https://[::1/foo", "I can read"),
    ("x:@foo-bar", "1-15 letters, digits or _"),
    ("x:@abcdefghijklmnop", "1-15"),
    ("https://x.com", "names no account"),
]


@pytest.mark.parametrize(("text", "reason_part"), REJECTED)
def test_refused_input_gets_one_helpful_line(text: str, reason_part: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_account(text)
    reason = caught.value.reason
    assert reason_part in reason
    assert "\n" not in reason
    assert len(reason) < 250


def test_unknown_site_names_every_supported_platform() -> None:
    with pytest.raises(UsageError) as caught:
        parse_account("https://vk.com/foo")
    for platform in Platform:
        assert platform.label in caught.value.reason


# --- properties ----------------------------------------------------------------------------

LETTERS_DIGITS = string.ascii_letters + string.digits
CODE_CHARS = LETTERS_DIGITS + "_-"


@dataclass(frozen=True)
class Variant:
    """One way of writing an account: `host` + `path` as a URL, `short` as a short form."""

    host: str
    path: str
    short: str
    expected: AccountRef


def names(
    alphabet: str, min_size: int, max_size: int, reserved: frozenset[str] = frozenset()
) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=min_size, max_size=max_size).filter(
        lambda name: name.lower() not in reserved and name.strip(".") != ""
    )


@st.composite
def x_variants(draw: st.DrawFn) -> Variant:
    name = draw(names(LETTERS_DIGITS + "_", 1, 15, X_RESERVED))
    host = draw(st.sampled_from(["x.com", "twitter.com", "mobile.twitter.com"]))
    tail = draw(st.sampled_from(["", "/status/1789012345678901234", "/media"]))
    return Variant(host, f"/{name}{tail}", f"x:@{name}", AccountRef(X, name.lower()))


@st.composite
def facebook_variants(draw: st.DrawFn) -> Variant:
    host = draw(st.sampled_from(["facebook.com", "fb.com", "web.facebook.com"]))
    kind = draw(st.sampled_from(["name", "id", "group"]))
    if kind == "id":
        number = draw(st.integers(1, 10**15))
        path = draw(
            st.sampled_from(
                [f"/profile.php?id={number}", f"/{number}", f"/people/Some-Name/{number}/"]
            )
        )
        return Variant(host, path, f"facebook:id:{number}", AccountRef(FB, f"id:{number}"))
    name = draw(
        names(LETTERS_DIGITS + ".", 1, 50, FACEBOOK_RESERVED).filter(
            lambda n: not n.isdigit() and not n.lower().endswith(".php")
        )
    )
    if kind == "group":
        return Variant(
            host, f"/groups/{name}/", f"fb:group:{name}", AccountRef(FB, f"group:{name.lower()}")
        )
    return Variant(host, f"/{name}", f"facebook:{name}", AccountRef(FB, name.lower()))


@st.composite
def instagram_variants(draw: st.DrawFn) -> Variant:
    name = draw(names(LETTERS_DIGITS + "_.", 1, 30, INSTAGRAM_RESERVED))
    host = draw(st.sampled_from(["instagram.com", "instagr.am"]))
    path = draw(
        st.sampled_from([f"/{name}", f"/{name}/reel/C1a2B3c4D5e/", f"/stories/{name}/330123/"])
    )
    return Variant(host, path, f"instagram:@{name}", AccountRef(IG, name.lower()))


@st.composite
def tiktok_variants(draw: st.DrawFn) -> Variant:
    name = draw(names(LETTERS_DIGITS + "_.", 2, 24))
    host = draw(st.sampled_from(["tiktok.com", "m.tiktok.com"]))
    tail = draw(st.sampled_from(["", "/video/7301234567890123456"]))
    return Variant(host, f"/@{name}{tail}", f"tiktok:@{name}", AccountRef(TT, name.lower()))


@st.composite
def telegram_variants(draw: st.DrawFn) -> Variant:
    host = draw(st.sampled_from(["t.me", "telegram.me"]))
    if draw(st.booleans()):
        code = draw(st.text(CODE_CHARS, min_size=4, max_size=40).filter(lambda c: not c.isdigit()))
        path = draw(st.sampled_from([f"/+{code}", f"/joinchat/{code}"]))
        return Variant(host, path, f"telegram:+{code}", AccountRef(TG, f"+{code}"))
    name = draw(names(LETTERS_DIGITS + "_", 4, 32, TELEGRAM_RESERVED))
    path = draw(st.sampled_from([f"/{name}", f"/s/{name}", f"/{name}/1234"]))
    return Variant(host, path, f"tg:@{name}", AccountRef(TG, name.lower()))


@st.composite
def whatsapp_variants(draw: st.DrawFn) -> Variant:
    kind = draw(st.sampled_from(["number", "invite", "channel"]))
    if kind == "invite":
        code = draw(st.text(CODE_CHARS, min_size=4, max_size=40))
        return Variant(
            "chat.whatsapp.com", f"/{code}", f"wa:invite:{code}", AccountRef(WA, f"invite:{code}")
        )
    if kind == "channel":
        code = draw(st.text(CODE_CHARS, min_size=4, max_size=40))
        return Variant(
            "whatsapp.com",
            f"/channel/{code}",
            f"whatsapp:channel:{code}",
            AccountRef(WA, f"channel:{code}"),
        )
    national = draw(st.sampled_from(["300", "301", "321", "333", "345"])) + "".join(
        draw(st.lists(st.sampled_from(string.digits), min_size=7, max_size=7))
    )
    host, path = draw(
        st.sampled_from(
            [
                ("wa.me", f"/92{national}"),
                ("api.whatsapp.com", f"/send?phone=92{national}"),
                ("api.whatsapp.com", f"/send/?phone=%2B92{national}"),
            ]
        )
    )
    short = draw(st.sampled_from([f"whatsapp:+92{national}", f"wa:0{national}"]))
    return Variant(host, path, short, AccountRef(WA, f"+92{national}"))


@st.composite
def youtube_variants(draw: st.DrawFn) -> Variant:
    host = draw(st.sampled_from(["youtube.com", "m.youtube.com"]))
    kind = draw(st.sampled_from(["handle", "channel", "c", "user"]))
    if kind == "channel":
        channel_id = "UC" + draw(st.text(CODE_CHARS, min_size=22, max_size=22))
        return Variant(
            host,
            f"/channel/{channel_id}/videos",
            f"yt:channel:{channel_id}",
            AccountRef(YT, f"channel:{channel_id}"),
        )
    if kind in ("c", "user"):
        name = draw(names(LETTERS_DIGITS + "_-.", 1, 100))
        return Variant(
            host,
            f"/{kind}/{name}",
            f"youtube:{kind}:{name}",
            AccountRef(YT, f"{kind}:{name.lower()}"),
        )
    name = draw(names(LETTERS_DIGITS + "_-.", 3, 30))
    return Variant(host, f"/@{name}/videos", f"youtube:@{name}", AccountRef(YT, name.lower()))


variants = st.one_of(
    x_variants(),
    facebook_variants(),
    instagram_variants(),
    tiktok_variants(),
    telegram_variants(),
    whatsapp_variants(),
    youtube_variants(),
)


def change_case(text: str, pattern: list[bool]) -> str:
    return "".join(
        char.upper() if pattern[i % len(pattern)] else char.lower() for i, char in enumerate(text)
    )


@given(
    variant=variants,
    scheme=st.sampled_from(["", "//", "https://", "http://", "HTTPS://", "Http://"]),
    www=st.sampled_from(["", "www.", "WWW."]),
    host_case=st.lists(st.booleans(), min_size=1, max_size=5),
    trailing_slash=st.booleans(),
    query=st.sampled_from(["", "s=20", "utm_source=share&igsh=abc%3D%3D", "lang=en&"]),
    fragment=st.sampled_from(["", "#", "#top", "#!/x"]),
    wrap=st.sampled_from(["{}", " {} ", "<{}>", "\t<{}>\n"]),
)
def test_every_way_of_writing_an_account_gives_the_same_ref(
    variant: Variant,
    scheme: str,
    www: str,
    host_case: list[bool],
    trailing_slash: bool,
    query: str,
    fragment: str,
    wrap: str,
) -> None:
    path = variant.path
    if trailing_slash and "?" not in path and not path.endswith("/"):
        path += "/"
    if query:
        path += ("&" if "?" in path else "?") + query
    url = f"{scheme}{change_case(www + variant.host, host_case)}{path}{fragment}"
    assert parse_account(wrap.format(url)) == variant.expected
    assert parse_account(variant.short) == variant.expected
    key, _, rest = variant.short.partition(":")
    assert parse_account(f"{change_case(key, host_case)}:{rest}") == variant.expected


@given(variant=variants)
def test_canonical_url_and_short_form_parse_back_to_the_same_ref(variant: Variant) -> None:
    ref = variant.expected
    assert parse_account(ref.url) == ref
    assert parse_account(ref.short) == ref


prefixes = st.sampled_from(
    [
        "",
        "https://",
        "x.com/",
        "https://www.facebook.com/",
        "facebook.com/profile.php?id=",
        "facebook.com/groups/",
        "instagram.com/",
        "tiktok.com/@",
        "vm.tiktok.com/",
        "t.me/",
        "t.me/+",
        "t.me/joinchat/",
        "wa.me/",
        "api.whatsapp.com/send?phone=",
        "chat.whatsapp.com/",
        "whatsapp.com/channel/",
        "youtube.com/",
        "youtube.com/channel/",
        "youtu.be/",
        "x:",
        "fb:",
        "fb:id:",
        "ig:@",
        "tiktok:",
        "tg:+",
        "wa:",
        "wa:invite:",
        "yt:channel:",
        "yt:c:",
        "+92",
        "0",
        "<",
        "@",
        "[",
        "http://[",
    ]
)


@given(prefix=prefixes, rest=st.text())
@example(prefix="https://", rest="\uff03x.com/foo")
@example(prefix="", rest="http://[::1]:99999999/")
@example(prefix="wa:", rest="+" + "9" * 300)
@example(prefix="x.com/", rest="İ" * 10)
def test_any_text_either_parses_to_a_round_tripping_ref_or_raises_usage_error(
    prefix: str, rest: str
) -> None:
    try:
        ref = parse_account(prefix + rest)
    except UsageError as err:
        assert err.reason.strip()
        assert "\n" not in err.reason
        return
    assert parse_account(ref.url) == ref
    assert parse_account(ref.short) == ref


# --- the fast path for plain URLs gives exactly what the general path gives ----------------

SIMPLE_HOSTS = [
    "x.com", "twitter.com", "facebook.com", "fb.com", "fb.me", "web.facebook.com",
    "mbasic.facebook.com", "instagram.com", "instagr.am", "tiktok.com", "vm.tiktok.com",
    "t.me", "telegram.me", "telegram.dog", "wa.me", "whatsapp.com", "api.whatsapp.com",
    "chat.whatsapp.com", "youtube.com", "music.youtube.com", "youtu.be", "example.org",
    "x", "com", "x.com.", "xcom", "t.me.evil.org", "facebook.com.", "-x.com", "x..com",
]  # fmt: skip
SIMPLE_WORDS = [
    "profile.php", "groups", "people", "pages", "p", "pg", "share", "s", "joinchat", "channel",
    "c", "user", "watch", "shorts", "stories", "_u", "reel", "status", "home", "login", "send",
    "invite", "message", "t", "i", "923001234567", "03001234567", "100012345678", "+AbCdEf12",
    "+12345", "UC1234567890123456789012", "@Some.Name", "@ab", "Foo_Bar", "a.b", ".", "..",
    "-", "x" * 16, "y" * 31, "@", "@@x", "foo+bar", "NaMe-1", "php.php", "home.php", "0",
]  # fmt: skip
simple_urls = st.builds(
    lambda scheme, prefix, host, segments, trailing, query: (
        scheme + prefix + host + "/" + "/".join(segments) + trailing + query
    ),
    st.sampled_from(["", "https://", "http://", "HTTPS://", "hTTp://"]),
    st.sampled_from(["", "www.", "m.", "mobile.", "www.m.", "WWW.", "M.", "api."]),
    st.sampled_from(SIMPLE_HOSTS) | st.from_regex(r"[a-z0-9.-]{1,12}", fullmatch=True),
    st.lists(
        st.sampled_from(SIMPLE_WORDS) | st.from_regex(r"@?[A-Za-z0-9_.+-]{0,20}", fullmatch=True),
        max_size=4,
    ),
    st.sampled_from(["", "/", "//"]),
    st.sampled_from(["", "?", "?s=20", "?id=100012345678", "?phone=923001234567&text=hi",
                     "?id=", "?id=1&id=2", "?a&b=", "?phone=+92300", "?=x"]),
)  # fmt: skip


def outcome(parse: object, text: str) -> AccountRef | str:
    """The AccountRef, or the reason of the UsageError."""
    assert callable(parse)
    try:
        ref = parse(text)
    except UsageError as err:
        return "error: " + err.reason
    assert isinstance(ref, AccountRef)
    return ref


@pytest.mark.slow  # hundreds of examples against the general path: `make test` only
@settings(max_examples=600)
@given(text=simple_urls)
@example(text="https://www.x.com/Foo")
@example(text="twitter.com/Foo?s=20")
@example(text="m.facebook.com/profile.php?id=100012345678")
@example(text="https://www.instagram.com/some.name/")
@example(text="https://wa.me/923001234567")
@example(text="t.me/+AbCdEf12")
def test_plain_urls_take_the_fast_path_with_the_same_result_as_the_general_path(
    text: str,
) -> None:
    try:
        fast = _parse_simple_url(text)
    except UsageError as err:
        assert outcome(_parse_any, text) == "error: " + err.reason
        return
    if fast is not None:
        assert outcome(_parse_any, text) == fast
    assert outcome(parse_account, text) == outcome(_parse_any, text)


@pytest.mark.parametrize(
    "text",
    [
        "https://www.x.com/Foo",
        "twitter.com/Foo?s=20",
        "m.facebook.com/profile.php?id=100012345678",
        "https://www.facebook.com/groups/some.group",
        "https://www.instagram.com/some.name/",
        "https://www.tiktok.com/@some.name",
        "t.me/s/some_channel",
        "https://wa.me/923001234567",
        "https://www.youtube.com/@some-name",
    ],
)
def test_the_common_forms_take_the_fast_path(text: str) -> None:
    fast = _parse_simple_url(text)
    assert fast is not None and fast == _parse_any(text)


# Numbers near the fast path's form: +92 / 0 / 0092 / 92 / other codes, any operator digit,
# 8-12 digits, separators; most are invalid or not Pakistani mobiles.
phone_texts = st.builds(
    lambda head, digits, tail: head + digits + tail,
    st.sampled_from(["+92", "0", "92", "0092", "+920", "+91", "+1", "+44", "00", "", "+9230"]),
    st.from_regex(r"3[0-9]{9}", fullmatch=True)
    | st.from_regex(r"3[0-9]{6,11}", fullmatch=True)
    | st.from_regex(r"[0-9]{7,13}", fullmatch=True)
    | st.from_regex(r"3[0-9]{2}-?[0-9]{7}", fullmatch=True),
    st.sampled_from(["", "", "", "0", "-", " "]),
)


def whatsapp_general(raw: str) -> AccountRef | str:
    """What libphonenumber alone makes of a number, as `_whatsapp_number` did before its
    fast path."""
    text = raw.strip()
    if not text.startswith(("+", "0")):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "PK")
    except phonenumbers.NumberParseException:
        return "invalid"
    if not phonenumbers.is_valid_number(number):
        return "invalid"
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return AccountRef(Platform.WHATSAPP, e164)


@pytest.mark.slow  # hundreds of examples against libphonenumber: `make test` only
@settings(max_examples=800)
@given(text=phone_texts)
@example(text="+923001234567")
@example(text="03001234567")
@example(text="923451234567")
@example(text="+923801234567")  # 38x: not a mobile prefix
@example(text="+92300123456")  # one digit short
@example(text="033601234567")
def test_pakistani_mobile_fast_path_agrees_with_libphonenumber(text: str) -> None:
    fast = _pk_mobile_fast(text if text.startswith(("+", "0")) else "+" + text)
    expected = whatsapp_general(text)
    if fast is not None:
        assert AccountRef(Platform.WHATSAPP, fast) == expected
    if set(text) <= set(string.digits + "+-().") and text:
        got = outcome(_whatsapp_number, text)
        assert got == expected or (expected == "invalid" and str(got).startswith("error: "))


def test_common_pakistani_mobiles_take_the_fast_path() -> None:
    for text in ("+923001234567", "03451234567", "+923331234567", "+923641234567"):
        fast = _pk_mobile_fast(text)
        assert fast is not None and AccountRef(Platform.WHATSAPP, fast) == whatsapp_general(text)


def site_host_prefix_by_prefix(host: str) -> str | None:
    """`_site_host` as first written: strip one known prefix at a time."""
    host = host.rstrip(".")
    while host not in _SITES:
        prefix = next((prefix for prefix in HOST_PREFIXES if host.startswith(prefix)), None)
        if prefix is None:
            return None
        host = host.removeprefix(prefix)
    return host


@pytest.mark.parametrize("prefixes", ["", "www.", "m.", "mobile.", "www.m.", "m.www.", "api."])
def test_site_host_table_gives_what_prefix_stripping_gives(prefixes: str) -> None:
    for site in [*_SITES, "example.com", "x.com.", "wwww.x.com"]:
        assert _site_host(prefixes + site) == site_host_prefix_by_prefix(prefixes + site)


@pytest.mark.parametrize(
    "text",
    ["+92 300 1234567", "923001234567", "۰۳۰۰۱۲۳۴۵۶۷", "+٩٢٣٠٠١٢٣٤٥٦٧", "0300\u00a01234567"],
)
def test_phone_numbers_as_people_write_them(text: str) -> None:
    assert parse_account(text).short == "whatsapp:+923001234567"


def test_a_spaced_phone_number_is_joined_at_the_start_of_a_command_only() -> None:
    assert join_spaced_phone("+92 300 1234567 TTP 3 groups") == "+923001234567 TTP 3 groups"
    assert join_spaced_phone("x.com/a TTP 0300 1234567") == "x.com/a TTP 0300 1234567"
    assert join_spaced_phone("12 TTP") == "12 TTP"  # too short to be a number
    with pytest.raises(UsageError, match="without spaces"):
        parse_account("x.com/a b")
