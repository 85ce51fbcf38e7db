#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/seed-*) from the
repository's fixtures (fixtures/, a copy of the project's shared fixture set) and a few inputs
taken from the crates' own tests and doc examples. Run from the repository root; see FUZZING.md."""
import glob, json, os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def name_of(path):
    rel = os.path.relpath(path, os.path.join(ROOT, "fixtures"))
    return rel.replace(os.sep, "-")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, "seed-" + name), "wb") as out:
        out.write(data)


def fixtures(pattern):
    return sorted(glob.glob(os.path.join(ROOT, "fixtures", pattern), recursive=True))


issuers = set()
for path in fixtures("**/*.json"):
    base = os.path.basename(path)
    data = open(path, "rb").read()
    if "registration_response" in base:
        write("registration_response", name_of(path), data)
    elif "jwks" in base:
        write("jwk_set", name_of(path), data)
    elif "headers" in base:
        headers = {k.lower(): v for k, v in json.loads(data).items()}
        lines = []
        if "cache-control" in headers:
            lines.append(headers["cache-control"])
        if "age" in headers:
            lines.append("age:" + headers["age"])
        if lines:
            write("cache_control", name_of(path).replace(".json", ".txt"), "\n".join(lines))
    else:
        write("provider_metadata", name_of(path), data)
        issuer = json.loads(data.decode("utf-8-sig")).get("issuer")
        if isinstance(issuer, str):
            issuers.add(issuer)

# WebFinger inputs from oidc-discovery's tests and OIDC Discovery §2.1 examples, plus every
# fixture issuer.
for i, text in enumerate(sorted(issuers) + [
    "joe@example.com", "acct:joe@example.com", "example.com", "example.com:8080",
    "example.com/joe", "joe@example.com:8080", "https://example.com/joe#me",
    "http://127.0.0.1:8080/", "https://op.example/tenant/", "https://example.com/issuer1",
    "https://[::1]:8443/realms/a",
]):
    write("issuer", "%02d.txt" % i, text)

# Registration answers: the doc example of RegistrationResponse and an RFC 7592 read answer.
write("registration_response", "doc-example.json", json.dumps({
    "client_id": "s6BhdRkqt3",
    "client_secret": "ZJYCqe3GGRvdrudKyZS0XhGv_Z45DuKhCUk0gBR1vZk",
    "client_secret_expires_at": 0,
    "client_id_issued_at": 2893256800.25,
    "redirect_uris": ["https://client.example.org/callback"],
    "client_name": "My Example",
    "client_name#ja-Jpan-JP": "クライアント名",
    "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]},
}, ensure_ascii=False))
write("registration_response", "rfc7592-read.json", json.dumps({
    "registration_access_token": "reg-23410913-abewfq.123483",
    "registration_client_uri": "https://server.example.com/register/s6BhdRkqt3",
    "client_id": "s6BhdRkqt3", "client_secret": "cf136dc3c1fc93f31185e5885805d",
    "client_id_issued_at": 2893256800, "client_secret_expires_at": 2893276800,
    "redirect_uris": ["https://client.example.org/callback", "https://client.example.org/callback2"],
    "grant_types": ["authorization_code", "refresh_token"],
    "token_endpoint_auth_method": "client_secret_basic", "logo_uri": "https://client.example.org/logo.png",
    "jwks_uri": "https://client.example.org/my_public_keys.jwks", "default_max_age": 3600,
    "require_auth_time": True, "x_vendor": {"tier": "gold"},
}))

# Cache-Control values from oidc-discovery's expiry tests.
for i, text in enumerate([
    "max-age=\"700\"", "Public, MAX-AGE=3600, must-revalidate", "max-age=100\nage:junk",
    "max-age=-5", "max-age=soon", "no-cache, max-age=60",
]):
    write("cache_control", "test-%02d.txt" % i, text)

# Language tags: RFC 5646 Appendix A examples and the grandfathered forms.
for i, text in enumerate([
    "ja-Jpan-JP", "de", "zh-Hant", "zh-cmn-Hans-CN", "sr-Latn-RS", "sl-rozaj-biske",
    "de-CH-1901", "hy-Latn-IT-arevela", "es-419", "de-DE-u-co-phonebk", "en-US-x-twain",
    "x-whatever", "qaa-Qaaa-QM-x-southern", "i-klingon", "en-GB-oed", "zh-min-nan",
    "en-a-bbb-x-a-ccc", "ja_JP", "en--US",
]):
    write("language_tag", "%02d.txt" % i, text)

# --set values from the CLI's tests.
for i, text in enumerate([
    "require_auth_time=true", "default_max_age=3600", "contacts=[\"a@example.com\"]",
    "client_name#ja-Jpan-JP=デモ", "client_name=Example App", "client_name='\"42\"'",
    " jwks = {\"keys\":[]}", "=x", "novalue",
]):
    write("cli_set", "%02d.txt" % i, text)
