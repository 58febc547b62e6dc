"""Build tests/data/seeds_gold.jsonl from a hand-made annotation list.

The decisions about what is a mention were made by reading the seed
documents; this script only turns the ordered annotation list into
character offsets (Python str indices into the UTF-8 decoded text).

Each document's annotations are listed in document order.  Each entry is
(surface, type, group, kind) or (surface, type, group, kind, opts):
the surface is searched for starting at the end of the previous mention
(so the list order pins every occurrence).  By default a match must not be
glued to a letter/digit on either side; opts may hold
  "nb": True        -> no boundary check (e.g. "ResidenceSouth Korea")
  "after": "text"   -> first jump past the next occurrence of this text

Run:  python tests/data/make_gold.py          (writes the jsonl and checks)
      python tests/data/make_gold.py --review (also lists uncovered
                                               capitalised words per doc)
"""

import json
import os
import re
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SEEDS = os.path.join(ROOT, "seeds")
OUT = os.path.join(HERE, "seeds_gold.jsonl")

P, O, L = "person", "organisation", "place"
F, PA = "full", "partial"

# canonical group names
JJS = "Jang Jin-sung"
KJI = "Kim Jong-il"
KJU = "Kim Jong-un"
KJN = "Kim Jong-nam"
KIS = "Kim Il-sung"
KYJ = "Kim Yo-jong"
NK = "North Korea"
SK = "South Korea"
US = "United States"
WPK = "Workers' Party of Korea"
SSD = "State Security Department"
UFD = "United Front Department"
NSRI = "National Security Research Institute"
NIS = "National Intelligence Service"
NFI = "New Focus International"
RGB = "Reconnaissance General Bureau"
CC = "Central Committee of the Workers' Party of Korea"
PB = "Politburo of the Workers' Party of Korea"
PRES = "Presidium of the Politburo"
KPA = "Korean People's Army"
WHO = "World Health Organization"
PYY = "Pyongyang"
JAI = "JoongAng Ilbo"

A = {}

# ---------------------------------------------------------------- doc 000
A["000_8bb9cf95c1906315.txt"] = [
    # title / infobox
    ("Jang Jin-sung", P, JJS, F),
    ("Jang Jin-sung", P, JJS, F),
    ("South Korea", L, SK, F, {"nb": True}),          # "ResidenceSouth Korea"
    ("Jang Jin-sung", P, JJS, F),
    ("Jang Jinseong", P, JJS, F, {"nb": True}),       # "RomanizationJang Jinseong"
    ("Chang Chinsŏng", P, JJS, F, {"nb": True}),      # "ReischauerChang Chinsŏng"
    # paragraph 1
    ("Jang Jin-sung", P, JJS, F),
    ("장진성", P, JJS, F),
    ("South Korea", L, SK, F),
    ("United Front Department", O, UFD, F),
    ("Korean Workers' Party", O, WPK, F),
    ("Jang", P, JJS, PA),
    ("United Front Department", O, UFD, F),
    ("Office 101", O, "Office 101", F),
    ("Office 101", O, "Office 101", F),
    ("North Korea", L, NK, F),
    ("Jang", P, JJS, PA),                              # Jang's
    ("Kim Kyong-min", P, "Kim Kyong-min", F),          # pen name
    ("South Korea", L, SK, F),
    # paragraph 2
    ("Jang", P, JJS, PA),
    ("Kim Jong Il", P, KJI, F),
    ("Jang", P, JJS, PA),
    ("Kim Jong Il", P, KJI, F),
    ("North Korea", L, NK, F),
    ("Kim Jong Il", P, KJI, F),
    ("Jang", P, JJS, PA),
    ("Jang", P, JJS, PA),
    # paragraph 3
    ("Jang", P, JJS, PA),                              # Jang's account
    ("Young-Min", P, "Young-Min", PA),
    ("Pyongyang Metro", L, "Pyongyang Metro", F),
    ("State Security Department", O, SSD, F),
    ("Tumen River", L, "Tumen River", F),
    ("China", L, "China", F),
    ("China", L, "China", F),
    ("Jang", P, JJS, PA),
    ("South Korea", L, SK, F),
    ("Beijing", L, "Beijing", F),
    # paragraph 4
    ("South Korea", L, SK, F),
    ("Jang", P, JJS, PA),
    ("National Security Research Institute", O, NSRI, F),
    ("Seoul", L, "Seoul", F),
    ("South Korea", L, SK, F),
    ("National Security Research Institute", O, NSRI, F),
    ("National Intelligence Service", O, NIS, F),
    ("South Korea", L, SK, F),
    ("National Security Research Institute", O, NSRI, F),
    # paragraph 5
    ("Jang", P, JJS, PA),
    ("New Focus International", O, NFI, F),
    ("뉴포커스", O, NFI, F),
    # paragraph 6-7
    ("Jang Jin-sung", P, JJS, F),
    ("North Korea", L, NK, F),
    ("Jang Jin-sung", P, JJS, F),
    ("North Korea", L, NK, F),                         # in book title
    # works list
    ("Kim Jong-il", P, KJI, F),
    ("김정일", P, KJI, F, {"nb": True}),               # 김정일의 (의 = possessive particle)
    ("Japan", L, "Japan", F),
    ("North Korea", L, NK, F),                         # in book title
    # references
    ("Jin-Seong, Jang", P, JJS, F),                    # inverted name as article title
    ("Southbank Centre", O, "Southbank Centre", F),
    ("North Korea", L, NK, F),
    ("Kim Jong-il", P, KJI, F),
    ("BBC News", O, "BBC News", F),
    ("Jang Jin-sung", P, JJS, F),
    ("North Korea", L, NK, F),
    ("Guardian News and Media Limited", O, "Guardian News and Media", F),
    ("Jang Jin-sung", P, JJS, F),
    ("Jang Jin-sung", P, JJS, F),
    ("Kim Jong-il", P, KJI, F),
    ("New Statesman", O, "New Statesman", F),
    ("Sylvia Hui", P, "Sylvia Hui", F),
    ("Jang Jin-sung", P, JJS, F),
    ("Associated Press", O, "Associated Press", F),
    ("Kim Jong Il", P, KJI, F),
    ("Jang Jin-sung", P, JJS, F),
    ("North Korea", L, NK, F),
    ("Jang Jin-sung", P, JJS, F),
    ("North Korea", L, NK, F),                         # in book title
    ("Atria", O, "Atria Books", F),
    ("David Pilling", P, "David Pilling", F),
    ("Jang Jin-sung", P, JJS, F),
    ("Financial Times", O, "Financial Times", F),
    ("Libby Powell", P, "Libby Powell", F),
    ("Jang Jin-sun", P, JJS, F),                       # typo
    ("Chatham House", O, "Chatham House", F),
    ("Jang Jin-sung", P, JJS, F),
    ("Jang Jin-sung", P, JJS, F),
    ("NK News", O, "NK News", F),
    ("Jang Jin-sung", P, JJS, F),
    ("North Korea", L, NK, F),
    ("Kim Jong Il", P, KJI, F),
    ("New Focus International", O, NFI, F),
    ("New Focus International", O, NFI, F),
    ("New Focus International", O, NFI, F),
    ("North Korea", L, NK, F),
    ("DPRK", L, NK, F),
    ("Jang Jin-sung", P, JJS, F),
    ("North Korea", L, NK, F),                         # in book title
    ("Simon and Schuster", O, "Simon & Schuster", F),
    ("KCNA", O, "Korean Central News Agency", F),
    ("Blaine Harden", P, "Blaine Harden", F),
    ("North Korea", L, NK, F),
    ("Jang Jin-sung", P, JJS, F),
    ("The Washington Post", O, "The Washington Post", F),
    ("North Korea", L, NK, F),                         # in book title
    ("Amazon.com, Inc.", O, "Amazon", F),
    ("Chosun.com", O, "Chosun.com", F),
    ("Jessica Phelan", P, "Jessica Phelan", F),
    ("Jang Jin Sung", P, JJS, F),
    ("North Korea", L, NK, F),
    ("Jang Jin Sung", P, JJS, F),
    ("DailyNK", O, "Daily NK", F),
    ("Kim Ji-soo", P, "Kim Ji-soo", F),
    ("Jang Jin-sung", P, JJS, F),
    ("Korea Times", O, "The Korea Times", F),
]

# ---------------------------------------------------------------- doc 001
A["001_e0b5316b38a22238.txt"] = [
    ("Kim Jong-un", P, KJU, F),                        # Anti-Kim Jong-un (headline)
    ("North Korea", L, NK, F),
    ("Kimikatsu Kinoshita", P, "Kimikatsu Kinoshita", F),
    ("Shutterstock.com", O, "Shutterstock", F),  # the credit line names the site
    ("North Korea", L, NK, F),
    ("Eiji Han Shimizu", P, "Eiji Han Shimizu", F),
    ("Japan", L, "Japan", F),
    ("North Korea", L, NK, F),
    ("North Korea", L, NK, F),
    # Heroes detained
    ("North Korea", L, NK, F),
    ("Kim Jong-nam", P, KJN, F),
    ("Kim Jong-un", P, KJU, F),
    ("Kim Jong-nam", P, KJN, F),
    ("Kim Jong-il", P, KJI, F),
    ("Kuala Lumpur International Airport", L, "Kuala Lumpur International Airport", F),
    ("Malaysia", L, "Malaysia", F),
    ("Kim Jong-un", P, KJU, F),
    ("Kim Jong-il", P, KJI, F),
    ("Kim Jong-nam", P, KJN, F, {"after": "Kim dynasty"}),
    ("Kim Jong-nam", P, KJN, F),
    ("Mount Paektu", L, "Mount Paektu", F),
    ("Kim Il-sung", P, KIS, F),
    ("Chinese Communist Party", O, "Chinese Communist Party", F),
    ("Kim Jong-nam", P, KJN, F),
    ("Kim Jong-un", P, KJU, F),
    ("Kim Jong-nam", P, KJN, F),
    ("Jang Song-thaek", P, "Jang Song-thaek", F),
    ("Kim Jong-il", P, KJI, F),
    ("Kim Jong-un", P, KJU, F),
    ("Kim Jong-nam", P, KJN, F),
    ("Jang Song-thaek", P, "Jang Song-thaek", F),
    ("Kim Jong-un", P, KJU, F),
    ("Kim Jong-num", P, KJN, F),                       # typo
    ("Choi Soon-ho", P, "Choi Soon-ho", F),
    ("Reconnaissance General Bureau", O, RGB, F),
    ("Kim Jong-nam", P, KJN, F),
    ("Kim Jong-un", P, KJU, F),
    ("Choi", P, "Choi Soon-ho", PA),
    ("Choi", P, "Choi Soon-ho", PA),
    ("Yodok", L, "Yodok", F),
    ("Kim Jong-un", P, KJU, F),
    ("Kim Il-sung", P, KIS, F),                        # Kim Il-sung Family
    ("Hitler", P, "Adolf Hitler", PA),
    # Anti-regime banners
    ("Seiron", O, "Seiron", F),
    ("South Korea", L, SK, F),
    ("North Korea", L, NK, F),
    ("Kim Jong-un", P, KJU, F),
    ("North Korea", L, NK, F),
    ("Kim Jong-un", P, KJU, F),
    ("Pyongyang", L, PYY, F),
    ("North Korea", L, NK, F),
    ("North Korea", L, NK, F),
    ("Kim Jong-un", P, KJU, F),
    ("Pyongyang", L, PYY, F),
    ("Pyongsong", L, "Pyongsong", F),
    ("Sunchon", L, "Sunchon", F),
    ("Sariwon", L, "Sariwon", F),
    ("North Pyongan", L, "North Pyongan", F),
    ("Sinuiju", L, "Sinuiju", F),
    ("Hyesan", L, "Hyesan", F),
    ("Hoeryong", L, "Hoeryong", F),
    ("Ministry of State Security", O, SSD, F),
    ("Ministry of Social Security", O, "Ministry of Social Security", F),
    ("North Korea", L, NK, F),
    ("Kim Il-sung Square", L, "Kim Il-sung Square", F),
    ("Pyongyang", L, PYY, F),
    ("Kim Jong-un", P, KJU, F),
    ("An Jung-geun", P, "An Jung-geun", F),
    ("Ito Hirobumi", P, "Ito Hirobumi", F),
    ("South Korea", L, SK, F),
    ("Kim Jong-un", P, KJU, F),
    # Rebellion from within
    ("Pyongyang", L, PYY, F),
    ("Kim Jong-un", P, KJU, F),
    ("Sadong District", L, "Sadong District", F),
    ("Tokyo", L, "Tokyo", F),
    ("Adachi Ward", L, "Adachi Ward", F),
    ("Youth Shock Brigades", O, "Youth Shock Brigades", F),
    ("Kim Jong-un", P, KJU, F),
    ("Pyongyang", L, PYY, F),
    ("North Korea", L, NK, F),
    ("North Korea", L, NK, F),
    ("Pyongyang", L, PYY, F),
    ("Workers’ Party of Korea", O, WPK, F),
    ("Kim Jong-un", P, KJU, F),
    ("Japan", L, "Japan", F),
    ("South Korea", L, SK, F),
    ("Kim Jong-un", P, KJU, F),
    ("Pyongyang", L, PYY, F),
    ("Park Sang-hak", P, "Park Sang-hak", F),
    ("Fighters for a Free North Korea", O, "Fighters for a Free North Korea", F),
    ("South Korea", L, SK, F),
    ("North Korea", L, NK, F),
    ("Wonsan", L, "Wonsan", F),
    ("Kangwon Province", L, "Kangwon Province", F),
    ("North Korea", L, NK, F),
    ("Park", P, "Park Sang-hak", PA),
    ("Wonsan", L, "Wonsan", F),
    ("Kim Jong-un", P, KJU, F),
    ("Kim Jong-un", P, KJU, F),
    ("Pyongyang", L, PYY, F),
    ("Wonsan", L, "Wonsan", F),
    ("South Korea", L, SK, F),
    ("Wonsan", L, "Wonsan", F),
    ("Jong-un", P, KJU, PA),
    ("Kim Yo Jong", P, KYJ, F),
    ("South Korea", L, SK, F),
    ("Moon Jae-in", P, "Moon Jae-in", F),
    ("President Moon", P, "Moon Jae-in", PA),
    ("National Intelligence Service", O, NIS, F),
    ("South Korea", L, SK, F),
    ("South Korea", L, SK, F),
    ("Kim Yo Jong", P, KYJ, F),
    # Unreliable Chinese vaccines
    ("Shutterstock.com", O, "Shutterstock", F),  # the credit line names the site
    ("China", L, "China", F),
    ("Foreign Ministry", O, "Ministry of Foreign Affairs of China", F),
    ("Wang Wenbin", P, "Wang Wenbin", F),
    ("China", L, "China", F),
    ("North Korea", L, NK, F),
    ("North Korea", L, NK, F),
    ("China", L, "China", F),
    ("North Korea", L, NK, F),
    ("North Korea", L, NK, F),
    ("Kyodo News", O, "Kyodo News", F),
    ("North Korea", L, NK, F),
    ("China", L, "China", F),
    ("Workers’ Party of Korea", O, WPK, F),
    ("North Korea", L, NK, F),
    ("Beijing", L, "Beijing", F),
    ("Sinuiju", L, "Sinuiju", F),
    ("Wuhan", L, "Wuhan", F),
    ("China", L, "China", F),
    ("Pyongyang", L, PYY, F),
    ("Pyongyang", L, PYY, F),
    ("China", L, "China", F),
    ("Russia", L, "Russia", F),
    ("Kim Jong-un", P, KJU, F),
    ("North Korea", L, NK, F),
    ("Workers’ Party of Korea", O, WPK, F),
    ("Central Committee", O, CC, F),
    ("Kim Jong-un", P, KJU, F),
    ("Kim Jong-un", P, KJU, F),
    ("North Korea", L, NK, F),
    ("Kim Jong-un", P, KJU, F),
    ("Pfizer", O, "Pfizer", F),
    ("Sinovax", O, "Sinovac", F),
    ("North Korea", L, NK, F),
    ("World Health Organization", O, WHO, F),
    ("WHO", O, WHO, F),
    ("Pfizer", O, "Pfizer", F),
    ("China", L, "China", F),
    ("WHO", O, WHO, F),
    ("China", L, "China", F),
    ("North Korea", L, NK, F),
    ("Japan", L, "Japan", F),
    ("U.S.", L, US, F),
    ("Kim Jong-un", P, KJU, F),
    ("Switzerland", L, "Switzerland", F),
    ("North Korea", L, NK, F),
    ("Pfizer", O, "Pfizer", F),
    ("Workers’ Party of Korea", O, WPK, F),
    ("North Korea", L, NK, F, {"after": "Sino-North Korean"}),
    ("North Korea", L, NK, F),
    # Military attacked by civilians
    ("Politburo", O, PB, F),
    ("Workers’ Party of Korea", O, WPK, F),
    ("Kyodo News", O, "Kyodo News", F),
    ("Kim Jong-un", P, KJU, F),
    ("Politburo Standing Committee", O, PRES, F),
    ("Central Committee", O, CC, F),
    ("Ri Pyong-chol", P, "Ri Pyong-chol", F),
    ("Korean People’s Army", O, KPA, F),
    ("Politburo", O, PB, F),
    ("Pak Jong-chon", P, "Pak Jong-chon", F),
    ("Korean People’s Army", O, KPA, F),
    ("Kim Jong-un", P, KJU, F),
    ("North Korea", L, NK, F),
    ("North Korea", L, NK, F),
    ("North Korea", L, NK, F),
    ("Sinuiju", L, "Sinuiju", F),
    ("Yalu River", L, "Yalu River", F),
    ("Sariwon", L, "Sariwon", F),
    ("Pyongyang", L, PYY, F),
    ("Sariwon University of Agriculture", O, "Sariwon University of Agriculture", F),
    ("Kim Jong-un", P, KJU, F),
    ("Kim Jong-un", P, KJU, F),
    ("U.S.", L, US, F),
    ("U.S.", L, US, F),
    ("Kim Jong-un", P, KJU, F),
    ("Kim Jong-un", P, KJU, F),
    ("North Korea", L, NK, F),
    ("Kim Jong-un", P, KJU, F),
    ("Kim Jong-un", P, KJU, F),
    ("Kim Jong-un", P, KJU, F),
    ("Pyongyang", L, PYY, F),
    ("North Korea", L, NK, F),
    ("Kim Jong-un", P, KJU, F),
    ("Kim Jong-un", P, KJU, F),
    ("Jo Yong-won", P, "Jo Yong-won", F),
    ("Presidium", O, PRES, F),
    ("Politburo", O, PB, F),
    ("Kim Yo Jong", P, KYJ, F),
    ("Kim Jong-un", P, KJU, F),
    ("Seiron", O, "Seiron", F),
    ("Kinichi Nishimura", P, "Kinichi Nishimura", F),
    ("Kim Jong-un", P, KJU, F),
    ("Kim Jong-un", P, KJU, F),
    ("North Korea", L, NK, F),
    ("South Korea", L, SK, F),
    # author box
    ("Kimikatsu Kinoshita", P, "Kimikatsu Kinoshita", F),
    ("Japan", L, "Japan", F),
    ("Kanto District", L, "Kanto", F),
    ("North Korea Refugee Cooperation Meeting", O, "North Korea Refugee Cooperation Meeting", F),
    ("Hokuriku", L, "Hokuriku", F),
    ("Japan", L, "Japan", F),
    ("Japan", L, "Japan", F),
    ("North Korea", L, NK, F),
    ("North Korea", L, NK, F),
    ("China", L, "China", F),
    ("North Korea", L, NK, F),
    ("Society to Help Returnees to North Korea", O, "Society to Help Returnees to North Korea", F),
    ("North Korea", L, NK, F),                         # in book title
    ("Takagi Shobo", O, "Takagi Shobo", F),
]

# ---------------------------------------------------------------- doc 002
A["002_9616d0e211098658.txt"] = [
    ("DPRK", L, NK, F),
    ("Russia", L, "Russia", F),
    ("Jin Ju-dong", P, "Jin Ju-dong", F),
    ("NK News", O, "NK News", F),
    ("DPRK", L, NK, F),
    ("North Korea", L, NK, F),
    ("Jin Ju-dong", P, "Jin Ju-dong", F),
    ("North Korea", L, NK, F),
    ("Russia", L, "Russia", F),
    ("DPRK", L, NK, F),
    ("South Korea", L, SK, F),
    ("Ju-dong", P, "Jin Ju-dong", PA),
    ("North Korea", L, NK, F),
    ("Kim Jong Un", P, KJU, F),
    ("DPRK", L, NK, F),
    ("Kim Jong Un", P, KJU, F),
    ("North Korea", L, NK, F),
    ("South Korea", L, SK, F),                         # "North and South Korea"
    ("DPRK", L, NK, F),
    ("Kim Il Sung", P, KIS, F),
    ("South Korea", L, SK, F),
    ("Gwangju", L, "Gwangju", F),
    ("Kim Il Sung", P, KIS, F),
    ("Kim Il Sung", P, KIS, F),
    ("Kim Jong Il", P, KJI, F),
    ("South Korea", L, SK, F),
    ("United States", L, US, F),
    ("Kim Il Sung", P, KIS, F),
    ("Kim Jong Il", P, KJI, F),
    ("Kim Il Sung", P, KIS, F),
    ("Kim Jong Il", P, KJI, F),
    ("Korean Peninsula", L, "Korean Peninsula", F),
    ("Kim Jong Il", P, KJI, F),
    ("South Korea", L, SK, F),
    ("U.S.", L, US, F),
    ("U.S.", L, US, F),
    ("South Korea", L, SK, F),
    ("North Korea", L, NK, F),
    ("Kim Jong Un", P, KJU, F),
    ("Kim Jong Un", P, KJU, F),
    ("Kim Jong Un", P, KJU, F),
    ("Russia", L, "Russia", F),
    ("Kim Jong Un", P, KJU, F),
    ("Russia", L, "Russia", F),
    ("Kim", P, KJU, PA, {"after": "go to serve "}),   # "serve Kim himself"
    ("Russia", L, "Russia", F),
    ("Kim Jong Un", P, KJU, F),
    ("Kim Jong Un", P, KJU, F),
    ("Kim Jong Un", P, KJU, F),
    ("North Korea", L, NK, F),
    ("South Korea", L, SK, F),
    ("ROK", L, SK, F),
    ("Alannah Hill", P, "Alannah Hill", F),
]

# ---------------------------------------------------------------- doc 003
A["003_a5f15829ef3b7ede.txt"] = [
    ("North Korea", L, NK, F),
    ("St. Petersburg", L, "Saint Petersburg", F),
    ("Russia", L, "Russia", F),
    ("Beijing", L, "Beijing", F),
    ("State Security Department", O, SSD, F),
    ("China", L, "China", F),
    ("Pyongyang", L, PYY, F),
    ("Pyongyang", L, PYY, F),
    ("SSD", O, SSD, F),
    ("Pyongyang", L, PYY, F),
    ("Reconnaissance General Bureau", O, RGB, F),
    ("SSD", O, SSD, F),
    ("Pyongyang", L, PYY, F),
    ("Kim Jong Un", P, KJU, F),
    ("Kim", P, KJU, PA, {"after": "were uncomfortable with "}),  # Kim's rule
    ("Pyongyang", L, PYY, F),
    ("Kim Won Hong", P, "Kim Won-hong", F),
    ("North Korea", L, NK, F),
    ("Yonhap", O, "Yonhap News Agency", F),
    ("UPI", O, "United Press International", F),
    ("Beijing", L, "Beijing", F),
    ("Health Ministry", O, "Ministry of Public Health of North Korea", F),
    ("Joongang Ilbo", O, JAI, F),
    ("Japan", L, "Japan", F),
    ("Park Geun-hye", P, "Park Geun-hye", F),
    ("Foreign Ministry", O, "Ministry of Foreign Affairs of North Korea", F),
    ("Kung Sok-un", P, "Kung Sok-un", F),
    ("North Korea", L, NK, F),
    ("Pyongyang", L, PYY, F),
    ("Daily NK", O, "Daily NK", F),
    ("North Korea", L, NK, F),
    ("JoongAng Ilbo", O, JAI, F),
    ("China", L, "China", F),
    ("China", L, "China", F),
    ("North Korea", L, NK, F),
    ("Pyongyang", L, PYY, F),
    ("Workers’ Party", O, WPK, F),
    ("Beijing", L, "Beijing", F),
    ("Workers’ Party", O, WPK, F),
    ("North Korea", L, NK, F),
    ("Joongang Ilbo", O, JAI, F),
    ("Pyongyang", L, PYY, F),
    ("Pyongyang", L, PYY, F),
    ("Pyongyang", L, PYY, F),
    ("Pyongyang", L, PYY, F),
    ("Pyongyang", L, PYY, F),
    ("Stalin", P, "Joseph Stalin", PA),
    ("Hitler", P, "Adolf Hitler", PA),
    ("Russia", L, "Russia", F),
]


def _isword(ch):
    return ch.isalnum()


def locate(text, items, doc):
    out = []
    pos = 0
    for it in items:
        surface, typ, group, kind = it[:4]
        opts = it[4] if len(it) > 4 else {}
        if "after" in opts:
            j = text.find(opts["after"], pos)
            if j < 0:
                raise SystemExit(f"{doc}: context {opts['after']!r} not found after {pos}")
            pos = j + len(opts["after"])
        while True:
            i = text.find(surface, pos)
            if i < 0:
                raise SystemExit(f"{doc}: {surface!r} not found after {pos}")
            e = i + len(surface)
            if opts.get("nb"):
                break
            before = text[i - 1] if i > 0 else " "
            after = text[e] if e < len(text) else " "
            if not _isword(before) and not _isword(after):
                break
            pos = i + 1
        out.append({"doc": doc, "start": i, "end": e, "text": text[i:e],
                    "type": typ, "group": group, "kind": kind})
        pos = e
    return out


def build():
    rows = []
    for doc in sorted(A):
        with open(os.path.join(SEEDS, doc), encoding="utf-8", newline="") as fh:
            text = fh.read()
        rows.extend(locate(text, A[doc], doc))
    return rows


def check(rows):
    texts = {}
    for r in rows:
        if r["doc"] not in texts:
            with open(os.path.join(SEEDS, r["doc"]), encoding="utf-8", newline="") as fh:
                texts[r["doc"]] = fh.read()
        assert texts[r["doc"]][r["start"]:r["end"]] == r["text"], r
        assert r["type"] in ("person", "organisation", "place"), r
        assert r["kind"] in ("full", "partial"), r
    by_doc = defaultdict(list)
    for r in rows:
        by_doc[r["doc"]].append(r)
    for doc, rs in by_doc.items():
        rs2 = sorted(rs, key=lambda r: (r["start"], r["end"]))
        assert rs2 == rs, f"{doc} not in document order"
        for a, b in zip(rs2, rs2[1:]):
            assert a["end"] <= b["start"], (a, b)
    gtypes = defaultdict(set)
    for r in rows:
        gtypes[r["group"]].add(r["type"])
    bad = {g: t for g, t in gtypes.items() if len(t) != 1}
    assert not bad, bad
    return texts, gtypes


def review(rows, texts):
    """Print capitalised tokens / known surfaces not covered by any gold span."""
    surfaces = {r["text"] for r in rows}
    for doc, text in texts.items():
        covered = [False] * len(text)
        for r in rows:
            if r["doc"] == doc:
                for k in range(r["start"], r["end"]):
                    covered[k] = True
        print(f"== {doc}: uncovered occurrences of annotated surfaces")
        for s in sorted(surfaces):
            for m in re.finditer(re.escape(s), text):
                if not any(covered[m.start():m.end()]):
                    ctx = text[max(0, m.start() - 25):m.end() + 25].replace("\n", " ")
                    print(f"   {s!r} @{m.start()}: ...{ctx}...")
        print(f"== {doc}: uncovered capitalised words")
        words = Counter()
        for m in re.finditer(r"[A-Z][\w’'.-]*", text):
            if not any(covered[m.start():m.end()]):
                words[m.group()] += 1
        print("   " + ", ".join(f"{w}({n})" for w, n in sorted(words.items())))


def verify_file(path=OUT):
    """Independent check of the written file: slices, overlaps, one type per group."""
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    keys = {"doc", "start", "end", "text", "type", "group", "kind"}
    assert all(set(r) == keys for r in rows)
    check(rows)
    return rows


def main():
    rows = build()
    texts, gtypes = check(rows)
    with open(OUT, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    assert verify_file() == rows
    per_doc = Counter(r["doc"] for r in rows)
    per_type = Counter(r["type"] for r in rows)
    per_doc_type = Counter((r["doc"], r["type"]) for r in rows)
    print(f"wrote {len(rows)} mentions to {OUT}")
    for d in sorted(per_doc):
        parts = ", ".join(f"{t}={per_doc_type[(d, t)]}" for t in ("person", "organisation", "place"))
        print(f"  {d}: {per_doc[d]}  ({parts})")
    print("  by type:", dict(per_type))
    print("  by kind:", dict(Counter(r["kind"] for r in rows)))
    print(f"  {len(gtypes)} groups")
    if "--review" in sys.argv:
        review(rows, texts)
    if "--groups" in sys.argv:
        cnt = Counter(r["group"] for r in rows)
        for g in sorted(gtypes):
            print(f"  {next(iter(gtypes[g])):12s} {cnt[g]:3d}  {g}")


if __name__ == "__main__":
    main()
