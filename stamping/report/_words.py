"""The report's fixed words: what each mark is, what marks prove, and the notice draft.

The notice follows 17 U.S.C. § 512(c)(3)(A), whose six elements a
notification must substantially include (text of the statute:
https://www.law.cornell.edu/uscode/text/17/512 and
http://codes.lp.findlaw.com/uscode/17/5/512); § 512(f) makes a sender who
knowingly misrepresents infringement liable for damages, so the draft says so.
"""

from __future__ import annotations

STATUTE_URL = "https://www.law.cornell.edu/uscode/text/17/512"

# Every mark trace looks for, per format, in the order trace lists them (the engines' MARKS
# and CODE_MARKS; tests/unit/stamping/report checks the two agree).
SEARCHED: dict[str, tuple[tuple[str, str], ...]] = {
    "pdf": (
        ("docinfo", "/ExLibrisOrder and /ExLibrisCode in the document information"),
        ("xmp", "exlibris:OrderId and exlibris:StampCode in the XMP metadata"),
        ("id", "the file identifier (trailer /ID) that starts with EXL: and the code"),
        ("pieceinfo", "/PieceInfo /ExLibris, private data on each stamped page"),
        ("content", "a comment opening each stamped page's content"),
        ("footer", "the visible footer drawn on each stamped page"),
        ("body", "invisible text in the page body naming the order and code"),
        ("text", "the code in the page's visible text"),
        ("ocr", "the code read by OCR in the footer of a page that is only a picture"),
        (
            "lines",
            "text lines of the page body moved up or down by a fraction of a point, in a pattern "
            "only this copy has, measured against the author's original (trace --original)",
        ),
    ),
    "epub": (
        ("opf", "exlibris:order and exlibris:code in the package document"),
        ("zip-comment", "the zip archive's comment"),
        ("comment", "an XML comment at the top of each chapter"),
        ("attribute", "data-exlibris (or an exlibris-code class) on each chapter's body"),
        ("footer", "the visible footer line at the end of each chapter"),
        ("exlibris-page", "the code on the visible ex-libris page"),
    ),
}

VISIBLE = ("footer", "text", "ocr")  # the marks a reader sees on the page

NOT_ADVICE = (
    "This report is not legal advice. It states what exlibris found in the file and what the "
    "shop's records say; what to do with it is yours to decide, with a lawyer where in doubt."
)

PROVES = (
    "The code is computed from the order id with a secret key that only the shop holds (an "
    "HMAC). A code that checks out was made by this shop for the order it belongs to: the file "
    "is, or was made from, the copy delivered for that order.",
    "The SHA-256 identifies this exact file: anyone holding it can compute the same value "
    "(sha256sum, shasum -a 256, certutil -hashfile) and see that it is the file reported on.",
    "Marks found on several pages, or in several places, were put there by the shop when it "
    "stamped the copy; finding them again shows the copy was not rebuilt from another one.",
)

PROVES_NOT = (
    "Who uploaded or shared the file. The buyer may have shared it, lost it, or had it taken "
    "from them; the copy may have passed through several hands before it was posted.",
    "That every page of the file came from that copy: pages without marks may come from elsewhere.",
    "Anything about a file with no marks: marks can be removed, so their absence does not show "
    "that a file is not a copy of the book.",
)

FORGED = (
    "A mark reported as FORGED was changed after the shop stamped the copy: its order id was "
    "rewritten, or its code was made up. It does not point at the order it names. Where the "
    "report names the order the code belongs to, that is the copy the file was made from."
)


def notice(title: str, file_line: str) -> tuple[tuple[str, str], ...]:
    """The draft's paragraphs: (what § 512(c)(3)(A) asks, the text the author sends)."""
    return (
        (
            "(ii) The copyrighted work",
            f"{title}, by [author], [ISBN, or the page where the book is sold]. The rights "
            "holder sells this work only as individually stamped copies.",
        ),
        (
            "(iii) The infringing material, and where it is",
            f"{file_line} It can be found at: [every URL where the file can be viewed or "
            "downloaded]. Please remove it, or disable access to it.",
        ),
        (
            "(iv) How to reach me",
            "[Full name], [postal address], [telephone number], [e-mail address].",
        ),
        (
            "(v) Good faith",
            "I have a good faith belief that use of the material in the manner complained of is "
            "not authorized by the copyright owner, its agent, or the law.",
        ),
        (
            "(vi) Accuracy, under penalty of perjury",
            "The information in this notification is accurate, and under penalty of perjury, I "
            "am the owner, or authorized to act on behalf of the owner, of an exclusive right "
            "that is allegedly infringed.",
        ),
        (
            "(i) Signature",
            "Signature: ______________________________    Name: [full name]    Date: [date]",
        ),
    )


NOTICE_INTRO = (
    "A draft for you to complete: fill in everything in [brackets], check it against the "
    "platform's own form, and send it to the platform's designated copyright agent. It is not "
    "legal advice. It names the six elements a notification must include under 17 U.S.C. "
    "§ 512(c)(3)(A), marked (i) to (vi). Under § 512(f), a sender who knowingly misrepresents "
    f"that material is infringing is liable for damages. The statute: {STATUTE_URL}"
)
