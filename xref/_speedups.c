/* Compiled versions of the recogniser's per-character and per-hit loops.

   Every function here has a pure-Python twin in xref/recognise.py or
   xref/normalise.py that gives the same answer for every input; the tests
   compare the two. Where a case is rare and awkward to reproduce exactly
   (final sigma, U+0130, non-ASCII acronyms), the function hands it back to
   the Python code instead of guessing.

   Character classes use the same Unicode database calls as str.isupper(),
   str.islower() and str.isalnum() on one character. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* Before Python 3.12 a str may need making ready before its data is read;
   since then every str is, and the call is deprecated. */
#if PY_VERSION_HEX < 0x030C0000
#define READY(op) PyUnicode_READY(op)
#else
#define READY(op) 0
#endif

/* --- shared helpers -------------------------------------------------------- */

/* The three ints of an automaton hit (pattern, start, end). */
static int
unpack_hit(PyObject *hit, Py_ssize_t *idx, Py_ssize_t *start, Py_ssize_t *end)
{
    if (!PyTuple_Check(hit) || PyTuple_GET_SIZE(hit) != 3) {
        PyErr_SetString(PyExc_TypeError, "an automaton hit must be a tuple (pattern, start, end)");
        return -1;
    }
    *idx = PyLong_AsSsize_t(PyTuple_GET_ITEM(hit, 0));
    *start = PyLong_AsSsize_t(PyTuple_GET_ITEM(hit, 1));
    *end = PyLong_AsSsize_t(PyTuple_GET_ITEM(hit, 2));
    if ((*idx == -1 || *start == -1 || *end == -1) && PyErr_Occurred())
        return -1;
    return 0;
}

/* How many of the sorted ``starts`` (a list of ints) are below ``value``, or
   (``right``) at most ``value``: bisect_left / bisect_right. -1 on error. */
static Py_ssize_t
bisect_starts(PyObject *starts, Py_ssize_t value, int right)
{
    Py_ssize_t lo = 0, hi = PyList_GET_SIZE(starts);
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        Py_ssize_t v = PyLong_AsSsize_t(PyList_GET_ITEM(starts, mid));
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (v < value || (right && v == value))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Whether the span before place ``at`` of the claimed spans ends after ``offset``. */
static int
span_reaches(PyObject *ends, Py_ssize_t at, Py_ssize_t offset)
{
    if (at <= 0)
        return (int)at; /* 0: no span before; -1: the error of bisect_starts */
    Py_ssize_t end = PyLong_AsSsize_t(PyList_GET_ITEM(ends, at - 1));
    if (end == -1 && PyErr_Occurred())
        return -1;
    return end > offset;
}

/* Whether the claimed spans (sorted, non-overlapping, as two lists of ints)
   reach into [start, end): _Coverage.overlaps. */
static int
spans_overlap(PyObject *starts, PyObject *ends, Py_ssize_t start, Py_ssize_t end)
{
    return span_reaches(ends, bisect_starts(starts, end, 0), start);
}

/* Whether a claimed span holds ``offset``: _Coverage.covers. ``starts`` may
   be None (no spans). */
static int
spans_cover(PyObject *starts, PyObject *ends, Py_ssize_t offset)
{
    if (starts == Py_None)
        return 0;
    return span_reaches(ends, bisect_starts(starts, offset, 1), offset);
}

static int
check_spans(PyObject *starts, PyObject *ends)
{
    if (starts == Py_None && ends == Py_None)
        return 0;
    if (!PyList_Check(starts) || !PyList_Check(ends) || PyList_GET_SIZE(starts) != PyList_GET_SIZE(ends)) {
        PyErr_SetString(PyExc_ValueError, "starts and ends must be lists of one length");
        return -1;
    }
    return 0;
}

/* Appends ``item``, a new reference (NULL: its making failed), and lets it go. */
static int
append_new(PyObject *list, PyObject *item)
{
    if (item == NULL)
        return -1;
    int rc = PyList_Append(list, item);
    Py_DECREF(item);
    return rc;
}

static int
append_size(PyObject *list, Py_ssize_t value)
{
    return append_new(list, PyLong_FromSsize_t(value));
}

/* The str argument of a function of one argument, ready to read; -1 if not a str. */
static int
str_argument(PyObject *arg, const char *function)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "%s() needs a str", function);
        return -1;
    }
    return READY(arg);
}

/* --- match_text ---------------------------------------------------------- */

/* What match_text maps a lower-cased character to: every dash a hyphen, every
   apostrophe straight, every white-space character a space (normalise.py's
   DASHES, APOSTROPHES and SPACES). */
static inline Py_UCS4
unify_char(Py_UCS4 c)
{
    if (c < 0x80) {
        if (c == '\t' || c == '\n' || c == '\r')
            return ' ';
        if (c == '`')
            return '\'';
        return c;
    }
    switch (c) {
    case 0x00ad: case 0x2010: case 0x2011: case 0x2012: case 0x2013:
    case 0x2014: case 0x2015: case 0x2212: case 0xfe58: case 0xfe63:
    case 0xff0d:
        return '-';
    case 0x2018: case 0x2019: case 0x02bc: case 0x02bb: case 0x2032:
    case 0x00b4: case 0xff07:
        return '\'';
    case 0x00a0: case 0x1680: case 0x2000: case 0x2001: case 0x2002:
    case 0x2003: case 0x2004: case 0x2005: case 0x2006: case 0x2007:
    case 0x2008: case 0x2009: case 0x200a: case 0x202f: case 0x205f:
    case 0x3000:
        return ' ';
    }
    return c;
}

static inline Py_UCS4
match_char(Py_UCS4 c)
{
    if (c < 0x80) {
        if (c >= 'A' && c <= 'Z')
            return c + 32;
        return unify_char(c);
    }
    if (c >= 0xac00 && c <= 0xd7a3)
        return c; /* Hangul syllables: no case, nothing to unify */
    return unify_char(Py_UNICODE_TOLOWER(c));
}

/* match_text(text) -> str | None

   str.lower() then the unification, in one pass. None when the text holds
   U+03A3 (whose lower case depends on the letters around it) or U+0130
   (whose lower case is two characters): the Python code handles those. */
static PyObject *
speedups_match_text(PyObject *self, PyObject *arg)
{
    if (str_argument(arg, "match_text") < 0)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    /* Written at the text's own width, then narrowed if it came out narrower
       (a curly apostrophe became a straight one): a str must be stored at the
       width of its widest character. Should lower-casing widen a character,
       the text is built again at full width. */
    PyObject *out = PyUnicode_New(n, PyUnicode_MAX_CHAR_VALUE(arg));
    if (out == NULL)
        return NULL;
    void *out_data = PyUnicode_DATA(out);
    Py_UCS4 maxchar = 0, limit = PyUnicode_MAX_CHAR_VALUE(arg);

#define FILL(TYPE)                                              \
    {                                                           \
        const TYPE *p = (const TYPE *)data;                     \
        TYPE *q = (TYPE *)out_data;                             \
        for (Py_ssize_t i = 0; i < n; i++) {                    \
            Py_UCS4 c = p[i];                                   \
            if (c == 0x03a3 || c == 0x0130)                     \
                goto hand_back;                                 \
            Py_UCS4 m = match_char(c);                          \
            if (m > limit)                                      \
                goto widen;                                     \
            if (m > maxchar)                                    \
                maxchar = m;                                    \
            q[i] = (TYPE)m;                                     \
        }                                                       \
    }
    if (kind == PyUnicode_1BYTE_KIND)
        FILL(Py_UCS1)
    else if (kind == PyUnicode_2BYTE_KIND)
        FILL(Py_UCS2)
    else
        FILL(Py_UCS4)
#undef FILL

    int narrower = (kind == PyUnicode_1BYTE_KIND) ? (limit >= 0x80 && maxchar < 0x80)
                 : (kind == PyUnicode_2BYTE_KIND) ? (maxchar < 0x100)
                 : (maxchar < 0x10000);
    if (narrower) {
        PyObject *narrow = PyUnicode_FromKindAndData(kind, out_data, n);
        Py_DECREF(out);
        return narrow;
    }
    return out;

widen:
    /* Rare: build it again character by character at full width. */
    Py_DECREF(out);
    {
        Py_UCS4 *wide = PyMem_New(Py_UCS4, n > 0 ? n : 1);
        if (wide == NULL)
            return PyErr_NoMemory();
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (c == 0x03a3 || c == 0x0130) {
                PyMem_Free(wide);
                Py_RETURN_NONE;
            }
            wide[i] = match_char(c);
        }
        PyObject *result = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, wide, n);
        PyMem_Free(wide);
        return result;
    }

hand_back:
    Py_DECREF(out);
    Py_RETURN_NONE;
}

/* --- composed form ---------------------------------------------------------- */

/* Characters that are in composed form (NFC) whatever stands around them:
   NFC_Quick_Check Yes and combining class 0 (a test checks every one). */
static inline int
plainly_composed(Py_UCS4 c)
{
    return c < 0x300 || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205e)
           || (c >= 0x4e00 && c <= 0x9fff);
}

/* nfc_quick(text) -> bool

   True when every character of ``text`` is one of those, so the text is in
   composed form without asking the Unicode database about each character;
   False says only that the full check is needed. */
static PyObject *
speedups_nfc_quick(PyObject *self, PyObject *arg)
{
    if (str_argument(arg, "nfc_quick") < 0)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    if (kind == PyUnicode_1BYTE_KIND)
        Py_RETURN_TRUE; /* below 0x100 */
    if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *p = (const Py_UCS2 *)data;
        for (Py_ssize_t i = 0; i < n; i++)
            if (p[i] >= 0x300 && !plainly_composed(p[i]))
                Py_RETURN_FALSE;
    }
    else {
        const Py_UCS4 *p = (const Py_UCS4 *)data;
        for (Py_ssize_t i = 0; i < n; i++)
            if (p[i] >= 0x300 && !plainly_composed(p[i]))
                Py_RETURN_FALSE;
    }
    Py_RETURN_TRUE;
}

/* --- the exact pass -------------------------------------------------------- */

/* Adds the three ints of a hit to three columns. */
static int
append_hit(PyObject *idxs, PyObject *starts, PyObject *ends, PyObject *hit)
{
    if (PyList_Append(idxs, PyTuple_GET_ITEM(hit, 0)) < 0 || PyList_Append(starts, PyTuple_GET_ITEM(hit, 1)) < 0
        || PyList_Append(ends, PyTuple_GET_ITEM(hit, 2)) < 0)
        return -1;
    return 0;
}

/* Per-pattern flags of exact_filter, set by recognise.py (_EX_*). */
#define EX_QUICK 1      /* capitalised name, no guard, no double space */
#define EX_UPPER 2      /* acronym whose first letter is ASCII */
#define EX_PREFIXES 4   /* has shorter names to try when rejected */
#define EX_RULE_CAPITAL 8
#define EX_RULE_UPPER 16
#define EX_SPACE 32     /* holds a space: may follow a lower-case letter glued */
#define EX_GUARD 64     /* needs a guard only Python checks */

/* exact_filter(found, text, flags) -> (patterns, starts, ends, slow, rejected)

   The loop of Recogniser._exact_hits over the automaton's hits: the columns
   of the hits accepted (in order), ``slow`` the hits whose
   verdict needs the Python checks (guards, non-ASCII acronyms), ``rejected``
   (pattern, start) of rejected hits that have shorter names to try. */
static PyObject *
speedups_exact_filter(PyObject *self, PyObject *args)
{
    PyObject *found, *text, *flags_obj;
    if (!PyArg_ParseTuple(args, "O!UO!", &PyList_Type, &found, &text, &PyBytes_Type, &flags_obj))
        return NULL;
    if (READY(text) < 0)
        return NULL;
    const unsigned char *flags = (const unsigned char *)PyBytes_AS_STRING(flags_obj);
    Py_ssize_t nflags = PyBytes_GET_SIZE(flags_obj);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *idxs = PyList_New(0), *starts = PyList_New(0), *ends = PyList_New(0);
    PyObject *slow = PyList_New(0), *rejected = PyList_New(0);
    if (idxs == NULL || starts == NULL || ends == NULL || slow == NULL || rejected == NULL)
        goto error;
    Py_ssize_t count = PyList_GET_SIZE(found);
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *hit = PyList_GET_ITEM(found, k);
        Py_ssize_t idx, start, end;
        if (unpack_hit(hit, &idx, &start, &end) < 0)
            goto error;
        if (idx < 0 || idx >= nflags || start < 0 || end > n || start >= end) {
            PyErr_SetString(PyExc_ValueError, "automaton hit out of range");
            goto error;
        }
        unsigned char f = flags[idx];
        Py_UCS4 first = PyUnicode_READ(kind, data, start);
        int accept;
        if (f & EX_QUICK) {
            if (Py_UNICODE_ISUPPER(first)
                && (start == 0 || !Py_UNICODE_ISALNUM(PyUnicode_READ(kind, data, start - 1)))
                && (end == n || !Py_UNICODE_ISALNUM(PyUnicode_READ(kind, data, end)))) {
                if (append_hit(idxs, starts, ends, hit) < 0)
                    goto error;
                continue;
            }
        }
        else if ((f & EX_UPPER) && Py_UNICODE_ISLOWER(first)) {
            accept = 0;
            goto verdict;
        }
        /* Recogniser._accept */
        if (Py_UNICODE_ISALNUM(first) && start > 0) {
            Py_UCS4 before = PyUnicode_READ(kind, data, start - 1);
            if (Py_UNICODE_ISALNUM(before)
                && !(Py_UNICODE_ISUPPER(first) && Py_UNICODE_ISLOWER(before) && (f & EX_SPACE))) {
                accept = 0;
                goto verdict;
            }
        }
        if (end < n && PyUnicode_READ(kind, data, end - 1) < 0x80) {
            Py_UCS4 after = PyUnicode_READ(kind, data, end);
            if (Py_UNICODE_ISALNUM(after) || (after == '$' && (f & EX_RULE_UPPER))) {
                accept = 0;
                goto verdict;
            }
        }
        if (f & EX_RULE_UPPER) {
            /* surface.upper() == surface: decided here for ASCII surfaces only */
            int ascii = 1, lower = 0;
            for (Py_ssize_t i = start; i < end; i++) {
                Py_UCS4 c = PyUnicode_READ(kind, data, i);
                if (c >= 0x80) {
                    ascii = 0;
                    break;
                }
                if (c >= 'a' && c <= 'z')
                    lower = 1;
            }
            if (!ascii) {
                if (PyList_Append(slow, hit) < 0)
                    goto error;
                continue;
            }
            if (lower) {
                accept = 0;
                goto verdict;
            }
        }
        else if ((f & EX_RULE_CAPITAL) && !Py_UNICODE_ISUPPER(first)) {
            accept = 0;
            goto verdict;
        }
        if (f & EX_GUARD) {
            if (PyList_Append(slow, hit) < 0)
                goto error;
            continue;
        }
        accept = 1;
        for (Py_ssize_t i = start; i + 1 < end; i++) {
            if (PyUnicode_READ(kind, data, i) == '\n' && PyUnicode_READ(kind, data, i + 1) == '\n') {
                accept = 0;
                break;
            }
        }
    verdict:
        if (accept) {
            if (append_hit(idxs, starts, ends, hit) < 0)
                goto error;
        }
        else if (f & EX_PREFIXES) {
            if (append_new(rejected, PyTuple_Pack(2, PyTuple_GET_ITEM(hit, 0), PyTuple_GET_ITEM(hit, 1))) < 0)
                goto error;
        }
    }
    return Py_BuildValue("(NNNNN)", idxs, starts, ends, slow, rejected);
error:
    Py_XDECREF(idxs);
    Py_XDECREF(starts);
    Py_XDECREF(ends);
    Py_XDECREF(slow);
    Py_XDECREF(rejected);
    return NULL;
}

/* --- shape triggers -------------------------------------------------------- */

/* Trigger kinds, as recognise.py numbers them. */
#define TR_ORG_HEAD 1
#define TR_PLACE_HEAD 2
#define TR_ORG_PREFIX 4
#define TR_ORG_NUMBER 8
#define TR_PLACE_PREFIX 16

/* shape_triggers(text, norm, words, kinds, surnames, org, place, starts, ends)
       -> (surnames, org_heads, place_heads, prefixes)

   Both searches of _shape_triggers in one pass over the text, without an
   automaton: the surname hits (``surnames``: capitalised ASCII words of at
   most 8 letters, each found where it is followed by a space or a no-break
   space) and the trigger words (``words``: lower-case ASCII, found in
   ``norm`` at a capital that starts a word), then what surname_starts and
   trigger_positions keep of them. Every hit an automaton would report is
   considered (a surname match ends at the first letter that is not lower
   case, so there is one place to look), and the lists come out in the
   automaton's order. */

static int
compare_uint64(const void *a, const void *b)
{
    unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
    return (x > y) - (x < y);
}

static PyObject *
speedups_shape_triggers(PyObject *self, PyObject *args)
{
    PyObject *text, *norm, *words, *kinds_obj, *surnames, *org, *place, *starts, *ends;
    if (!PyArg_ParseTuple(args, "UUO!O!O!OOOO", &text, &norm, &PyList_Type, &words, &PyBytes_Type, &kinds_obj,
                          &PyList_Type, &surnames, &org, &place, &starts, &ends))
        return NULL;
    if (check_spans(starts, ends) < 0 || READY(text) < 0 || READY(norm) < 0)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (PyUnicode_GET_LENGTH(norm) != n) {
        PyErr_SetString(PyExc_ValueError, "norm and text differ in length");
        return NULL;
    }
    Py_ssize_t n_words = PyList_GET_SIZE(words);
    if (PyBytes_GET_SIZE(kinds_obj) != n_words) {
        PyErr_SetString(PyExc_ValueError, "one kind per word");
        return NULL;
    }
    const unsigned char *kinds = (const unsigned char *)PyBytes_AS_STRING(kinds_obj);
    /* Words by first letter, shortest first (the automaton reports the hits
       of one place in the order they end). */
    Py_ssize_t order[256], first_of[128], count_of[128];
    if (n_words > 256) {
        PyErr_SetString(PyExc_ValueError, "at most 256 trigger words");
        return NULL;
    }
    for (int c = 0; c < 128; c++)
        first_of[c] = count_of[c] = 0;
    for (Py_ssize_t i = 0; i < n_words; i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        if (!PyUnicode_Check(w) || READY(w) < 0 || !PyUnicode_IS_ASCII(w) || PyUnicode_GET_LENGTH(w) == 0) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "trigger words must be ASCII str");
            return NULL;
        }
        count_of[PyUnicode_1BYTE_DATA(w)[0]]++;
    }
    for (int c = 0, at = 0; c < 128; c++) {
        first_of[c] = at;
        at += count_of[c];
        count_of[c] = 0;
    }
    for (Py_ssize_t i = 0; i < n_words; i++) {
        int c = PyUnicode_1BYTE_DATA(PyList_GET_ITEM(words, i))[0];
        Py_ssize_t k = first_of[c] + count_of[c]++;
        /* insertion by length */
        while (k > first_of[c] && PyUnicode_GET_LENGTH(PyList_GET_ITEM(words, order[k - 1]))
                                      > PyUnicode_GET_LENGTH(PyList_GET_ITEM(words, i))) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = i;
    }
    /* Surnames as numbers: up to 8 ASCII letters, one per byte. */
    Py_ssize_t n_surnames = PyList_GET_SIZE(surnames);
    unsigned long long *keys = PyMem_New(unsigned long long, n_surnames + 1);
    if (keys == NULL)
        return PyErr_NoMemory();
    int longest = 0;
    for (Py_ssize_t i = 0; i < n_surnames; i++) {
        PyObject *w = PyList_GET_ITEM(surnames, i);
        Py_ssize_t len = PyUnicode_Check(w) && READY(w) == 0 ? PyUnicode_GET_LENGTH(w) : -1;
        const Py_UCS1 *d = len > 0 && PyUnicode_IS_ASCII(w) ? PyUnicode_1BYTE_DATA(w) : NULL;
        int shaped = d != NULL && len <= 8 && d[0] >= 'A' && d[0] <= 'Z';
        for (Py_ssize_t j = 1; shaped && j < len; j++)
            shaped = d[j] >= 'a' && d[j] <= 'z';
        if (!shaped) {
            PyMem_Free(keys);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "surnames must be a capital and up to 7 lower-case ASCII letters");
            return NULL;
        }
        unsigned long long key = 0;
        for (Py_ssize_t j = 0; j < len; j++)
            key = key << 8 | d[j];
        keys[i] = key;
        if (len > longest)
            longest = (int)len;
    }
    qsort(keys, n_surnames, sizeof(unsigned long long), compare_uint64);

    int tkind = PyUnicode_KIND(text), nkind = PyUnicode_KIND(norm);
    const void *tdata = PyUnicode_DATA(text), *ndata = PyUnicode_DATA(norm);
    PyObject *found_surnames = PyList_New(0), *org_heads = PyList_New(0), *place_heads = PyList_New(0);
    PyObject *prefixes = PyList_New(0), *result = NULL;
    Py_ssize_t *places = NULL;
    if (found_surnames == NULL || org_heads == NULL || place_heads == NULL || prefixes == NULL)
        goto done;
    /* Places that may start a hit: ASCII capitals, and any character at or
       above 128 (rare: a capital whose lower case is an ASCII letter). One
       tight pass at the text's own width finds them. */
    Py_ssize_t n_places = 0, places_size = 1024;
    places = PyMem_New(Py_ssize_t, places_size);
    if (places == NULL) {
        PyErr_NoMemory();
        goto done;
    }
#define PLACES(TYPE)                                                            \
    {                                                                           \
        const TYPE *d = (const TYPE *)tdata;                                    \
        for (Py_ssize_t p = 0; p < n; p++) {                                    \
            Py_UCS4 t = d[p];                                                   \
            if ((t >= 'A' && t <= 'Z') || t >= 128) {                           \
                if (n_places == places_size) {                                  \
                    places_size *= 2;                                           \
                    Py_ssize_t *grown = PyMem_Resize(places, Py_ssize_t, places_size); \
                    if (grown == NULL) {                                        \
                        PyErr_NoMemory();                                       \
                        goto done;                                              \
                    }                                                           \
                    places = grown;                                             \
                }                                                               \
                places[n_places++] = p;                                         \
            }                                                                   \
        }                                                                       \
    }
    if (tkind == PyUnicode_1BYTE_KIND)
        PLACES(Py_UCS1)
    else if (tkind == PyUnicode_2BYTE_KIND)
        PLACES(Py_UCS2)
    else
        PLACES(Py_UCS4)
#undef PLACES
    for (Py_ssize_t at = 0; at < n_places; at++) {
        Py_ssize_t p = places[at];
        Py_UCS4 t = PyUnicode_READ(tkind, tdata, p);
        /* a surname: [A-Z][a-z]* then a space or a no-break space */
        if (t >= 'A' && t <= 'Z' && n_surnames) {
            Py_ssize_t j = p + 1;
            unsigned long long key = t;
            while (j < n && j - p < longest + 1) {
                Py_UCS4 c = PyUnicode_READ(tkind, tdata, j);
                if (c < 'a' || c > 'z')
                    break;
                key = key << 8 | c;
                j++;
            }
            if (j < n && j - p <= longest) {
                Py_UCS4 sep = PyUnicode_READ(tkind, tdata, j);
                if ((sep == ' ' || sep == 0xa0)
                    && bsearch(&key, keys, n_surnames, sizeof(unsigned long long), compare_uint64) != NULL) {
                    int keep = 1;
                    if (p) {
                        Py_UCS4 before = PyUnicode_READ(tkind, tdata, p - 1);
                        keep = !(Py_UNICODE_ISALNUM(before) && !Py_UNICODE_ISLOWER(before));
                    }
                    if (keep) {
                        int covered = spans_cover(starts, ends, p);
                        if (covered < 0 || (!covered && append_size(found_surnames, p) < 0))
                            goto done;
                    }
                }
            }
        }
        /* trigger words, at a capital starting a word */
        Py_UCS4 c = PyUnicode_READ(nkind, ndata, p);
        if (c >= 128 || count_of[c] == 0 || !Py_UNICODE_ISUPPER(t))
            continue;
        if (p && Py_UNICODE_ISALNUM(PyUnicode_READ(tkind, tdata, p - 1)))
            continue;
        int covered = spans_cover(starts, ends, p);
        if (covered < 0)
            goto done;
        if (covered)
            continue;
        for (Py_ssize_t k = first_of[c]; k < first_of[c] + count_of[c]; k++) {
            Py_ssize_t w = order[k];
            PyObject *word = PyList_GET_ITEM(words, w);
            Py_ssize_t len = PyUnicode_GET_LENGTH(word), end = p + len;
            if (end > n)
                continue;
            const Py_UCS1 *d = PyUnicode_1BYTE_DATA(word);
            Py_ssize_t j = 1;
            while (j < len && PyUnicode_READ(nkind, ndata, p + j) == d[j])
                j++;
            if (j < len)
                continue;
            unsigned char f = kinds[w];
            Py_UCS4 after = end < n ? PyUnicode_READ(tkind, tdata, end) : 0;
            if (f & (TR_ORG_HEAD | TR_PLACE_HEAD)) {
                if (!(end < n && (Py_UNICODE_ISALNUM(after) || after == '-' || after == 0x2010 || after == 0x2011))) {
                    PyObject *pair = Py_BuildValue("(nn)", p, end);
                    if (pair == NULL)
                        goto done;
                    int rc = 0;
                    if (f & TR_ORG_HEAD)
                        rc = PyList_Append(org_heads, pair);
                    if (rc == 0 && (f & TR_PLACE_HEAD))
                        rc = PyList_Append(place_heads, pair);
                    Py_DECREF(pair);
                    if (rc < 0)
                        goto done;
                }
            }
            PyObject *type = NULL;
            if (f & TR_ORG_PREFIX)
                type = org;
            else if ((f & TR_ORG_NUMBER) && end < n && Py_UNICODE_ISDIGIT(after))
                type = org;
            else if (f & TR_PLACE_PREFIX)
                type = place;
            if (type != NULL) {
                if (append_new(prefixes, Py_BuildValue("(nO)", p, type)) < 0)
                    goto done;
            }
        }
    }
    result = Py_BuildValue("(OOOO)", found_surnames, org_heads, place_heads, prefixes);
done:
    PyMem_Free(places);
    PyMem_Free(keys);
    Py_XDECREF(found_surnames);
    Py_XDECREF(org_heads);
    Py_XDECREF(place_heads);
    Py_XDECREF(prefixes);
    return result;
}

/* --- coreference ----------------------------------------------------------- */

/* coref_scan(norm, text, words, starts, ends) -> list of hits

   What the coreference automaton (leftmost-longest, not overlapping) finds of
   ``words`` in ``norm``, filtered as coref_candidates filters: the same
   (word index, start, end) triples. ``words`` are few (tens), so a table of
   them by first character replaces building an automaton per document. */

typedef struct {
    const Py_UCS4 *chars;
    Py_ssize_t len;
    Py_ssize_t index; /* in words */
    Py_UCS4 first;
    Py_UCS4 second; /* 0x110000 (no character) for a word of one */
} Word;

static int
word_order(const void *a, const void *b)
{
    const Word *x = (const Word *)a, *y = (const Word *)b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1; /* longest first */
    return x->index < y->index ? -1 : (x->index > y->index);
}

/* The longest word of the run table[k..] (words starting with norm[pos],
   longest first) that matches norm at pos, or NULL. */
#define DEFINE_LONGEST(NAME, TYPE)                                              \
    static const Word *NAME(const TYPE *norm, Py_ssize_t n, Py_ssize_t pos,    \
                            const Word *table, Py_ssize_t k, Py_ssize_t used)  \
    {                                                                           \
        Py_UCS4 c = norm[pos];                                                  \
        Py_UCS4 d = pos + 1 < n ? norm[pos + 1] : 0x110001;                     \
        for (; k < used && table[k].first == c; k++) {                          \
            const Word *w = &table[k];                                          \
            Py_ssize_t len = w->len;                                            \
            if (pos + len > n)                                                  \
                continue;                                                       \
            if (len > 1 && (w->second != d || norm[pos + len - 1] != w->chars[len - 1])) \
                continue;                                                       \
            Py_ssize_t j = 2;                                                   \
            while (j < len - 1 && norm[pos + j] == w->chars[j])                 \
                j++;                                                            \
            if (j >= len - 1)                                                   \
                return w;                                                       \
        }                                                                       \
        return NULL;                                                            \
    }
DEFINE_LONGEST(longest_ucs1, Py_UCS1)
DEFINE_LONGEST(longest_ucs2, Py_UCS2)
DEFINE_LONGEST(longest_ucs4, Py_UCS4)
#undef DEFINE_LONGEST

static PyObject *
speedups_coref_scan(PyObject *self, PyObject *args)
{
    PyObject *norm, *text, *words, *starts, *ends;
    if (!PyArg_ParseTuple(args, "UUO!O!O!", &norm, &text, &PyList_Type, &words, &PyList_Type, &starts,
                          &PyList_Type, &ends))
        return NULL;
    if (PyList_GET_SIZE(starts) != PyList_GET_SIZE(ends)) {
        PyErr_SetString(PyExc_ValueError, "starts and ends differ in length");
        return NULL;
    }
    if (READY(norm) < 0 || READY(text) < 0)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (PyUnicode_GET_LENGTH(norm) != n) {
        PyErr_SetString(PyExc_ValueError, "norm and text differ in length");
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(words), total = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        if (!PyUnicode_Check(w) || READY(w) < 0) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "words must be str");
            return NULL;
        }
        total += PyUnicode_GET_LENGTH(w);
    }
    Word *table = PyMem_New(Word, count > 0 ? count : 1);
    Py_UCS4 *chars = PyMem_New(Py_UCS4, total > 0 ? total : 1); /* every word, one after another */
    if (table == NULL || chars == NULL) {
        PyMem_Free(table);
        PyMem_Free(chars);
        return PyErr_NoMemory();
    }
    Py_ssize_t used = 0, at = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        Py_ssize_t len = PyUnicode_GET_LENGTH(w);
        if (len == 0)
            continue; /* matches nothing (an automaton refuses it anyway) */
        if (PyUnicode_AsUCS4(w, chars + at, len, 0) == NULL) {
            PyMem_Free(table);
            PyMem_Free(chars);
            return NULL;
        }
        table[used].chars = chars + at;
        table[used].len = len;
        table[used].index = i;
        table[used].first = chars[at];
        table[used].second = len > 1 ? chars[at + 1] : 0x110000;
        at += len;
        used++;
    }
    qsort(table, used, sizeof(Word), word_order);
    /* For ASCII first characters, where their run of words starts (-1: none);
       and which ASCII pairs start a word, to pass over most places at once. */
    Py_ssize_t ascii_start[128];
    unsigned char pairs[128][16]; /* bit (second & 7) of pairs[first][second >> 3] */
    int other_first = 0;          /* some word starts with a non-ASCII character */
    memset(pairs, 0, sizeof(pairs));
    for (int c = 0; c < 128; c++)
        ascii_start[c] = -1;
    for (Py_ssize_t i = used - 1; i >= 0; i--) {
        Py_UCS4 first = table[i].first;
        if (first >= 128) {
            other_first = 1;
            continue;
        }
        ascii_start[first] = i;
        Py_UCS4 second = table[i].second;
        if (second < 128)
            pairs[first][second >> 3] |= (unsigned char)(1u << (second & 7));
        else /* one character long, or a non-ASCII second one: any second may do */
            memset(pairs[first], 0xff, sizeof(pairs[first]));
    }

    int nkind = PyUnicode_KIND(norm), tkind = PyUnicode_KIND(text);
    const void *ndata = PyUnicode_DATA(norm), *tdata = PyUnicode_DATA(text);
    PyObject *out = PyList_New(0);
    if (out == NULL) {
        PyMem_Free(table);
        PyMem_Free(chars);
        return NULL;
    }
    Py_ssize_t pos = 0;

/* Moves pos to the next place where some word may start (n: none). */
#define SKIP(TYPE)                                                              \
    {                                                                           \
        const TYPE *nd = (const TYPE *)ndata;                                   \
        for (; pos + 1 < n; pos++) {                                            \
            Py_UCS4 c = nd[pos], d = nd[pos + 1];                               \
            if ((c | d) < 128) { /* the common case: one look-up */             \
                if (pairs[c][d >> 3] & (1u << (d & 7)))                         \
                    break;                                                      \
            }                                                                   \
            else if (c < 128 ? ascii_start[c] >= 0 : other_first)              \
                break;                                                          \
        }                                                                       \
    }
    while (pos < n) {
        if (nkind == PyUnicode_1BYTE_KIND)
            SKIP(Py_UCS1)
        else if (nkind == PyUnicode_2BYTE_KIND)
            SKIP(Py_UCS2)
        else
            SKIP(Py_UCS4)
        if (pos >= n)
            break;
        Py_UCS4 c = PyUnicode_READ(nkind, ndata, pos);
        Py_ssize_t k;
        if (c < 128)
            k = ascii_start[c];
        else {
            for (k = 0; k < used && table[k].first != c; k++)
                ;
        }
        const Word *match = NULL;
        if (k >= 0) {
            if (nkind == PyUnicode_1BYTE_KIND)
                match = longest_ucs1((const Py_UCS1 *)ndata, n, pos, table, k, used);
            else if (nkind == PyUnicode_2BYTE_KIND)
                match = longest_ucs2((const Py_UCS2 *)ndata, n, pos, table, k, used);
            else
                match = longest_ucs4((const Py_UCS4 *)ndata, n, pos, table, k, used);
        }
        if (match == NULL) {
            pos++;
            continue;
        }
        Py_ssize_t start = pos, end = pos + match->len;
        pos = end;
        if (!Py_UNICODE_ISUPPER(PyUnicode_READ(tkind, tdata, start)))
            continue;
        if (start && Py_UNICODE_ISALNUM(PyUnicode_READ(tkind, tdata, start - 1)))
            continue;
        if (end < n) {
            Py_UCS4 after = PyUnicode_READ(tkind, tdata, end);
            /* recognise._DASH_CHARS */
            if (Py_UNICODE_ISALNUM(after) || after == '-' || after == 0x00ad || after == 0x2010
                || after == 0x2011 || after == 0x2013)
                continue;
        }
        int overlap = spans_overlap(starts, ends, start, end);
        if (overlap < 0)
            goto error;
        if (overlap)
            continue;
        if (append_new(out, Py_BuildValue("(nnn)", match->index, start, end)) < 0)
            goto error;
    }
#undef SKIP
    PyMem_Free(table);
    PyMem_Free(chars);
    return out;
error:
    PyMem_Free(table);
    PyMem_Free(chars);
    Py_DECREF(out);
    return NULL;
}

/* --- text layout ------------------------------------------------------------ */

/* layout(text) -> (line_starts, para_starts, para_ends)

   TextLayout's tables (model.py), in one pass over the text: the start of
   every line; and the paragraphs, runs of lines between gaps of blank lines
   (a gap: a newline, then one or more lines of only spaces and tabs, each
   ended by a newline). A paragraph starts at the start of its first line
   holding a character other than a newline, space or tab, if it has a
   character str.isspace() says no to; it ends where the gap after it starts
   (the last one: before a last line of only spaces and tabs). */

typedef struct {
    Py_ssize_t start, end; /* end: its newline, or the text's length */
    int blank;             /* only spaces and tabs */
    int solid;             /* holds a character that is not white space */
    int lead;              /* holds a character other than newline, space, tab */
} Line;


static PyObject *
speedups_layout(PyObject *self, PyObject *arg)
{
    if (str_argument(arg, "layout") < 0)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);

    Py_ssize_t count = 1, capacity = 64;
    Line *lines = PyMem_New(Line, capacity);
    PyObject *line_starts = PyList_New(0), *para_starts = PyList_New(0), *para_ends = PyList_New(0);
    if (lines == NULL || line_starts == NULL || para_starts == NULL || para_ends == NULL) {
        if (lines == NULL)
            PyErr_NoMemory();
        goto error;
    }
    lines[0] = (Line){0, n, 1, 0, 0};
    if (append_size(line_starts, 0) < 0)
        goto error;

#define SCAN(TYPE)                                                              \
    {                                                                           \
        const TYPE *p = (const TYPE *)data;                                     \
        Line *line = &lines[0];                                                 \
        for (Py_ssize_t i = 0; i < n; i++) {                                    \
            Py_UCS4 c = p[i];                                                   \
            if (c == '\n') {                                                    \
                line->end = i;                                                  \
                if (count == capacity) {                                        \
                    capacity *= 2;                                              \
                    Line *grown = PyMem_Resize(lines, Line, capacity);          \
                    if (grown == NULL) {                                        \
                        PyErr_NoMemory();                                       \
                        goto error;                                             \
                    }                                                           \
                    lines = grown;                                              \
                }                                                               \
                line = &lines[count++];                                         \
                *line = (Line){i + 1, n, 1, 0, 0};                              \
                if (append_size(line_starts, i + 1) < 0)                        \
                    goto error;                                                 \
            }                                                                   \
            else if (c == ' ' || c == '\t') {                                   \
            }                                                                   \
            else {                                                              \
                line->blank = 0;                                                \
                line->lead = 1;                                                 \
                if (!line->solid && !Py_UNICODE_ISSPACE(c))                     \
                    line->solid = 1;                                            \
            }                                                                   \
        }                                                                       \
    }
    if (kind == PyUnicode_1BYTE_KIND)
        SCAN(Py_UCS1)
    else if (kind == PyUnicode_2BYTE_KIND)
        SCAN(Py_UCS2)
    else
        SCAN(Py_UCS4)
#undef SCAN

    /* Paragraphs: segments of lines between gaps. A gap starts at the newline
       ending line j when line j + 1 is blank and ended by a newline; it takes
       in every such line after it. */
    Py_ssize_t first = 0; /* first line of the current segment */
    Py_ssize_t j = 0;
    for (;;) {
        Py_ssize_t gap_end = -1; /* last blank line of the gap after line j */
        if (j + 1 < count - 1) { /* line j + 1 exists and is ended by a newline */
            Py_ssize_t m = j + 1;
            while (m < count - 1 && lines[m].blank)
                m++;
            if (m > j + 1)
                gap_end = m - 1;
        }
        if (gap_end < 0 && j + 1 < count) {
            j++;
            continue;
        }
        /* the segment: lines first..j */
        int solid = 0;
        Py_ssize_t lead = -1;
        for (Py_ssize_t k = first; k <= j; k++) {
            if (lines[k].solid)
                solid = 1;
            if (lead < 0 && lines[k].lead)
                lead = k;
        }
        if (gap_end >= 0) {
            if (solid) {
                if (append_size(para_starts, lines[lead].start) < 0 || append_size(para_ends, lines[j].end) < 0)
                    goto error;
            }
            first = j = gap_end + 1;
            continue;
        }
        /* the last segment */
        if (solid) {
            Py_ssize_t end = n;
            if (j > first && lines[j].blank)
                end = lines[j - 1].end; /* before a last line of only spaces and tabs */
            if (append_size(para_starts, lines[lead].start) < 0 || append_size(para_ends, end) < 0)
                goto error;
        }
        break;
    }
    PyMem_Free(lines);
    return Py_BuildValue("(NNN)", line_starts, para_starts, para_ends);
error:
    PyMem_Free(lines);
    Py_XDECREF(line_starts);
    Py_XDECREF(para_starts);
    Py_XDECREF(para_ends);
    return NULL;
}

/* --- records ------------------------------------------------------------------ */

/* record_tables(entity_ids, starts, para_starts, co_max, big)
       -> (ents, small_code, int_code, co_group_code, ent, order, group, co_b, co_n, co_group)

   The tables of DocRecord.from_columns (store.py) for mentions in text order:
   ``ents`` the distinct entity ids in first-mention order; then, as bytes in
   the array type codes given, each mention's entity number, the mention
   numbers by entity (text order within each), where each entity's run
   starts, and which entities share a paragraph naming 2 to ``co_max`` of
   them: entity k's partners co_b[co_group[k]:co_group[k + 1]] (ascending)
   and the paragraphs shared, co_n. ``big`` decides the width of the
   offset-sized numbers, as store._int_code does. None if the starts are not
   in text order. */

static int
compare_int64(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Writes item i of an array whose items are ``width`` bytes: 2 for the type
   code 'H', 4 for 'I' and 'i' (the same bits for the values written), 8 for 'q'. */
static inline void
put_number(char *out, Py_ssize_t i, int width, long long value)
{
    if (width == 2) {
        unsigned short v = (unsigned short)value;
        memcpy(out + i * 2, &v, 2);
    }
    else if (width == 4) {
        unsigned int v = (unsigned int)value; /* 'i' and 'I' share the bit pattern of small values */
        memcpy(out + i * 4, &v, 4);
    }
    else {
        long long v = value;
        memcpy(out + i * 8, &v, 8);
    }
}

static PyObject *
numbers_bytes(const long long *values, Py_ssize_t count, int width)
{
    PyObject *out = PyBytes_FromStringAndSize(NULL, count * width);
    if (out == NULL)
        return NULL;
    char *data = PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < count; i++)
        put_number(data, i, width, values[i]);
    return out;
}

static PyObject *
speedups_record_tables(PyObject *self, PyObject *args)
{
    PyObject *ids, *starts, *para_starts;
    Py_ssize_t co_max, big;
    if (!PyArg_ParseTuple(args, "O!O!O!nn", &PyList_Type, &ids, &PyList_Type, &starts, &PyList_Type, &para_starts,
                          &co_max, &big))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(ids);
    if (PyList_GET_SIZE(starts) != n) {
        PyErr_SetString(PyExc_ValueError, "entity_ids and starts differ in length");
        return NULL;
    }
    PyObject *result = NULL, *ent_no = PyDict_New(), *ents = PyList_New(0);
    long long *ent = PyMem_New(long long, n + 1), *count = NULL, *group = NULL, *order = NULL;
    long long *para = PyMem_New(long long, n + 1), *pairs = NULL, *buffer = NULL;
    long long *co_b = NULL, *co_n = NULL, *co_group = NULL;
    Py_ssize_t n_pairs = 0, pairs_capacity = 0, n_co = 0;
    if (ent_no == NULL || ents == NULL || ent == NULL || para == NULL) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto done;
    }
    /* entity numbers, in first-mention order */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *id = PyList_GET_ITEM(ids, i);
        PyObject *known = PyDict_GetItemWithError(ent_no, id);
        if (known != NULL) {
            ent[i] = PyLong_AsLongLong(known);
            continue;
        }
        if (PyErr_Occurred())
            goto done;
        PyObject *number = PyLong_FromSsize_t(PyList_GET_SIZE(ents));
        if (number == NULL)
            goto done;
        int rc = PyDict_SetItem(ent_no, id, number);
        Py_DECREF(number);
        if (rc < 0 || PyList_Append(ents, id) < 0)
            goto done;
        ent[i] = PyList_GET_SIZE(ents) - 1;
    }
    Py_ssize_t n_ents = PyList_GET_SIZE(ents);
    count = PyMem_New(long long, n_ents + 1);
    group = PyMem_New(long long, n_ents + 1);
    order = PyMem_New(long long, n + 1);
    co_group = PyMem_New(long long, n_ents + 1);
    buffer = PyMem_New(long long, n + 1);
    if (count == NULL || group == NULL || order == NULL || co_group == NULL || buffer == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* groups and order: a counting sort, stable */
    memset(count, 0, sizeof(long long) * (n_ents + 1));
    for (Py_ssize_t i = 0; i < n; i++)
        count[ent[i]]++;
    group[0] = 0;
    for (Py_ssize_t k = 0; k < n_ents; k++)
        group[k + 1] = group[k] + count[k];
    memcpy(count, group, sizeof(long long) * (n_ents + 1)); /* next free place of each entity */
    for (Py_ssize_t i = 0; i < n; i++)
        order[count[ent[i]]++] = i;

    /* each mention's paragraph: how many paragraph starts after the first
       are at or before it (mentions are in text order) */
    Py_ssize_t n_paras = PyList_GET_SIZE(para_starts), p = 0;
    long long next_start = 0;
    int have_next = 0;
    if (n_paras > 1) {
        next_start = PyLong_AsLongLong(PyList_GET_ITEM(para_starts, 1));
        have_next = 1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        long long at = PyLong_AsLongLong(PyList_GET_ITEM(starts, i));
        if (at == -1 && PyErr_Occurred())
            goto done;
        if (i && at < buffer[0]) { /* not in text order: the Python code copes */
            Py_INCREF(Py_None);
            result = Py_None;
            goto done;
        }
        buffer[0] = at;
        while (have_next && next_start <= at) {
            p++;
            if (p + 1 < n_paras)
                next_start = PyLong_AsLongLong(PyList_GET_ITEM(para_starts, p + 1));
            else
                have_next = 0;
        }
        if (PyErr_Occurred())
            goto done;
        para[i] = p;
    }

    /* Pairs of distinct entities of each paragraph that counts, both ways:
       counted in a table of every pair when there are few entities (most
       documents), else listed and sorted. */
    unsigned int *matrix = NULL;
    if (n_ents <= 128) {
        matrix = PyMem_Calloc(n_ents * n_ents + 1, sizeof(unsigned int));
        if (matrix == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
    for (Py_ssize_t lo = 0; lo < n;) {
        Py_ssize_t hi = lo + 1;
        while (hi < n && para[hi] == para[lo])
            hi++;
        Py_ssize_t m = 0;
        for (Py_ssize_t i = lo; i < hi; i++)
            buffer[m++] = ent[i];
        qsort(buffer, m, sizeof(long long), compare_int64);
        Py_ssize_t distinct = 0;
        for (Py_ssize_t i = 0; i < m; i++)
            if (i == 0 || buffer[i] != buffer[i - 1])
                buffer[distinct++] = buffer[i];
        if (distinct >= 2 && distinct <= co_max && matrix != NULL) {
            for (Py_ssize_t x = 0; x < distinct; x++)
                for (Py_ssize_t y = x + 1; y < distinct; y++) {
                    matrix[buffer[x] * n_ents + buffer[y]]++;
                    matrix[buffer[y] * n_ents + buffer[x]]++;
                }
        }
        else if (distinct >= 2 && distinct <= co_max) {
            Py_ssize_t more = distinct * (distinct - 1);
            if (n_pairs + more > pairs_capacity) {
                Py_ssize_t grown_size = (n_pairs + more) * 2;
                long long *grown = PyMem_Resize(pairs, long long, grown_size);
                if (grown == NULL) {
                    PyErr_NoMemory();
                    goto done;
                }
                pairs = grown;
                pairs_capacity = grown_size;
            }
            for (Py_ssize_t x = 0; x < distinct; x++)
                for (Py_ssize_t y = x + 1; y < distinct; y++) {
                    pairs[n_pairs++] = buffer[x] * n_ents + buffer[y];
                    pairs[n_pairs++] = buffer[y] * n_ents + buffer[x];
                }
        }
        lo = hi;
    }
    if (matrix != NULL) {
        Py_ssize_t cells = n_ents * n_ents, filled = 0;
        for (Py_ssize_t i = 0; i < cells; i++)
            filled += matrix[i] != 0;
        co_b = PyMem_New(long long, filled + 1);
        co_n = PyMem_New(long long, filled + 1);
        if (co_b == NULL || co_n == NULL) {
            PyMem_Free(matrix);
            PyErr_NoMemory();
            goto done;
        }
        co_group[0] = 0;
        for (Py_ssize_t a = 0; a < n_ents; a++) {
            for (Py_ssize_t b = 0; b < n_ents; b++)
                if (matrix[a * n_ents + b]) {
                    co_b[n_co] = b;
                    co_n[n_co] = matrix[a * n_ents + b];
                    n_co++;
                }
            co_group[a + 1] = n_co;
        }
        PyMem_Free(matrix);
        goto tables;
    }
    if (n_pairs)
        qsort(pairs, n_pairs, sizeof(long long), compare_int64);
    co_b = PyMem_New(long long, n_pairs + 1);
    co_n = PyMem_New(long long, n_pairs + 1);
    if (co_b == NULL || co_n == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    memset(co_group, 0, sizeof(long long) * (n_ents + 1));
    for (Py_ssize_t i = 0; i < n_pairs;) {
        Py_ssize_t j = i + 1;
        while (j < n_pairs && pairs[j] == pairs[i])
            j++;
        co_b[n_co] = pairs[i] % n_ents;
        co_n[n_co] = j - i;
        co_group[pairs[i] / n_ents + 1]++;
        n_co++;
        i = j;
    }
    for (Py_ssize_t k = 0; k < n_ents; k++)
        co_group[k + 1] += co_group[k];

tables:
    {
        int small = n_ents < 65536 ? 2 : 4;
        int wide = big < 2147483648LL ? 4 : 8;
        int co_wide = (big > n_co ? big : n_co) < 2147483648LL ? 4 : 8;
        PyObject *ents_tuple = PyList_AsTuple(ents);
        PyObject *ent_b = numbers_bytes(ent, n, small);
        PyObject *order_b = numbers_bytes(order, n, wide);
        PyObject *group_b = numbers_bytes(group, n_ents + 1, wide);
        PyObject *co_b_b = numbers_bytes(co_b, n_co, small);
        PyObject *co_n_b = numbers_bytes(co_n, n_co, wide);
        PyObject *co_group_b = numbers_bytes(co_group, n_ents + 1, co_wide);
        if (ents_tuple && ent_b && order_b && group_b && co_b_b && co_n_b && co_group_b)
            result = Py_BuildValue("(NsssNNNNNN)", ents_tuple, small == 2 ? "H" : "I", wide == 4 ? "i" : "q",
                                   co_wide == 4 ? "i" : "q", ent_b, order_b, group_b, co_b_b, co_n_b, co_group_b);
        else {
            Py_XDECREF(ents_tuple);
            Py_XDECREF(ent_b);
            Py_XDECREF(order_b);
            Py_XDECREF(group_b);
            Py_XDECREF(co_b_b);
            Py_XDECREF(co_n_b);
            Py_XDECREF(co_group_b);
        }
    }
done:
    Py_XDECREF(ent_no);
    Py_XDECREF(ents);
    PyMem_Free(ent);
    PyMem_Free(para);
    PyMem_Free(count);
    PyMem_Free(group);
    PyMem_Free(order);
    PyMem_Free(co_group);
    PyMem_Free(buffer);
    PyMem_Free(pairs);
    PyMem_Free(co_b);
    PyMem_Free(co_n);
    return result;
}

/* add_cooccurrence(table, records) -> None

   index.add_cooccurrence: adds each record's co-occurrence rows (entity k's
   partners co_b[co_group[k]:co_group[k + 1]], counts co_n) to ``table``,
   a dict of dicts of counts by entity id. */

static int
number_at(Py_buffer *view, Py_ssize_t i, long long *out)
{
    if (i < 0 || i >= view->len / view->itemsize) {
        PyErr_SetString(PyExc_ValueError, "damaged record: index out of range");
        return -1;
    }
    const char *p = (const char *)view->buf + i * view->itemsize;
    switch (view->format ? view->format[0] : 'B') {
    case 'B': *out = *(const unsigned char *)p; return 0;
    case 'H': *out = *(const unsigned short *)p; return 0;
    case 'I': *out = *(const unsigned int *)p; return 0;
    case 'i': *out = *(const int *)p; return 0;
    case 'q': *out = *(const long long *)p; return 0;
    case 'l': *out = *(const long *)p; return 0;
    case 'L': *out = (long long)*(const unsigned long *)p; return 0;
    case 'Q': *out = (long long)*(const unsigned long long *)p; return 0;
    }
    PyErr_Format(PyExc_ValueError, "unexpected array type code %s", view->format);
    return -1;
}

static int
add_record(PyObject *table, PyObject *record)
{
    int rc = -1;
    PyObject *ents = NULL, *co_b = NULL, *co_n = NULL, *co_group = NULL;
    Py_buffer b = {0}, nb = {0}, g = {0};
    int have_b = 0, have_n = 0, have_g = 0;
    ents = PyObject_GetAttrString(record, "ents");
    co_b = PyObject_GetAttrString(record, "co_b");
    co_n = PyObject_GetAttrString(record, "co_n");
    co_group = PyObject_GetAttrString(record, "co_group");
    if (ents == NULL || co_b == NULL || co_n == NULL || co_group == NULL)
        goto done;
    if (!PyTuple_Check(ents)) {
        PyErr_SetString(PyExc_TypeError, "a record's ents must be a tuple");
        goto done;
    }
    if (PyObject_GetBuffer(co_b, &b, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        goto done;
    have_b = 1;
    if (PyObject_GetBuffer(co_n, &nb, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        goto done;
    have_n = 1;
    if (PyObject_GetBuffer(co_group, &g, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        goto done;
    have_g = 1;
    Py_ssize_t n_ents = PyTuple_GET_SIZE(ents);
    if (b.len == 0) {
        rc = 0;
        goto done;
    }
    if (g.len / g.itemsize != n_ents + 1 || b.len / b.itemsize != nb.len / nb.itemsize) {
        PyErr_SetString(PyExc_ValueError, "damaged record: co-occurrence tables of different lengths");
        goto done;
    }
    long long lo, hi;
    if (number_at(&g, 0, &lo) < 0)
        goto done;
    for (Py_ssize_t k = 0; k < n_ents; k++, lo = hi) {
        if (number_at(&g, k + 1, &hi) < 0)
            goto done;
        if (hi <= lo)
            continue;
        PyObject *a = PyTuple_GET_ITEM(ents, k);
        PyObject *row = PyDict_GetItemWithError(table, a);
        if (row == NULL) {
            if (PyErr_Occurred())
                goto done;
            row = PyDict_New();
            if (row == NULL)
                goto done;
            int set = PyDict_SetItem(table, a, row);
            Py_DECREF(row); /* the table holds it */
            if (set < 0)
                goto done;
        }
        for (long long j = lo; j < hi; j++) {
            long long partner, count;
            if (number_at(&b, j, &partner) < 0 || number_at(&nb, j, &count) < 0)
                goto done;
            if (partner < 0 || partner >= n_ents) {
                PyErr_SetString(PyExc_ValueError, "damaged record: partner out of range");
                goto done;
            }
            PyObject *e = PyTuple_GET_ITEM(ents, partner);
            PyObject *old = PyDict_GetItemWithError(row, e);
            long long sum = count;
            if (old != NULL) {
                sum += PyLong_AsLongLong(old);
                if (PyErr_Occurred())
                    goto done;
            }
            else if (PyErr_Occurred())
                goto done;
            PyObject *value = PyLong_FromLongLong(sum);
            if (value == NULL)
                goto done;
            int set = PyDict_SetItem(row, e, value);
            Py_DECREF(value);
            if (set < 0)
                goto done;
        }
    }
    rc = 0;
done:
    if (have_b)
        PyBuffer_Release(&b);
    if (have_n)
        PyBuffer_Release(&nb);
    if (have_g)
        PyBuffer_Release(&g);
    Py_XDECREF(ents);
    Py_XDECREF(co_b);
    Py_XDECREF(co_n);
    Py_XDECREF(co_group);
    return rc;
}

static PyObject *
speedups_add_cooccurrence(PyObject *self, PyObject *args)
{
    PyObject *table, *records;
    if (!PyArg_ParseTuple(args, "O!O", &PyDict_Type, &table, &records))
        return NULL;
    PyObject *it = PyObject_GetIter(records);
    if (it == NULL)
        return NULL;
    PyObject *record;
    while ((record = PyIter_Next(it)) != NULL) {
        int rc = add_record(table, record);
        Py_DECREF(record);
        if (rc < 0) {
            Py_DECREF(it);
            return NULL;
        }
    }
    Py_DECREF(it);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

/* --- module ---------------------------------------------------------------- */

static PyMethodDef speedups_methods[] = {
    {"nfc_quick", speedups_nfc_quick, METH_O,
     "nfc_quick(text) -> bool: True when text is plainly in composed form (NFC)."},
    {"match_text", speedups_match_text, METH_O,
     "match_text(text) -> str | None: lower case and unified dashes, apostrophes and spaces, same length."},
    {"exact_filter", speedups_exact_filter, METH_VARARGS,
     "exact_filter(found, text, flags) -> (patterns, starts, ends, slow, rejected): the checks of the exact pass."},
    {"shape_triggers", speedups_shape_triggers, METH_VARARGS,
     "shape_triggers(text, norm, words, kinds, surnames, org, place, starts, ends) -> the triggers of shapes."},
    {"record_tables", speedups_record_tables, METH_VARARGS,
     "record_tables(entity_ids, starts, para_starts, co_max, big) -> the tables of a document's record."},
    {"add_cooccurrence", speedups_add_cooccurrence, METH_VARARGS,
     "add_cooccurrence(table, records) -> None: adds the records' co-occurrence counts to table."},
    {"layout", speedups_layout, METH_O,
     "layout(text) -> (line_starts, para_starts, para_ends): TextLayout's tables."},
    {"coref_scan", speedups_coref_scan, METH_VARARGS,
     "coref_scan(norm, text, words, starts, ends) -> the coreference automaton's hits, filtered."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT, "xref._speedups",
    "Compiled loops of the recogniser; see xref/recognise.py for their Python twins.",
    -1, speedups_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&speedups_module);
}
