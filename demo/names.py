"""Buyers' names in every script the footer must draw: the tests' table and the README's image.

Real names (or real name forms), one per script, as buyers type them. The
right-to-left ones are drawn in visual order, so text extractors give them
back in their own order; the tests only compare their letters.
"""

from __future__ import annotations

NAMES = {
    "Latin": "Zoë Ångström-Łukasiewicz",
    "Vietnamese": "Nguyễn Thị Minh Khai",
    "Greek": "Ελένη Παπαδοπούλου",
    "Polytonic Greek": "Ἀριστοτέλης",
    "Cyrillic": "Ольга Петрова",
    "Armenian": "Արամ Խաչատրյան",
    "Georgian": "ნინო ბერიძე",
    "Hebrew": "דוד בן־גוריון",
    "Arabic": "محمد عبد الله",
    "Persian": "فاطمه رضایی",
    "Urdu": "ثانیہ مرزا",
    "Devanagari": "राम शर्मा",
    "Bengali": "রবীন্দ্রনাথ ঠাকুর",
    "Tamil": "முருகன்",
    "Telugu": "వెంకటేశ్వర రావు",
    "Kannada": "ಪುನೀತ್ ರಾಜ್‌ಕುಮಾರ್",
    "Malayalam": "മോഹൻലാൽ",
    "Gujarati": "નરેન્દ્ર મોદી",
    "Gurmukhi": "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ",
    "Sinhala": "කුමාර සංගක්කාර",
    "Thai": "สมชาย ใจดี",
    "Lao": "ສົມພອນ",
    "Khmer": "សុខា",
    "Myanmar": "အောင်ဆန်းစုကြည်",
    "Ethiopic": "አበበ ቢቂላ",
    "Han": "王小明",
    "Japanese": "山田 さくら",
    "Hangul": "김민준",
    "Emoji": "Ann 😀 Lee ❤️",
}
RIGHT_TO_LEFT = frozenset({"Hebrew", "Arabic", "Persian", "Urdu"})
