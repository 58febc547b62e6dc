/* xref._speedups: optional C accelerator for the engine.
 *
 * Placeholder with a single function; xref works without this module.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
speedups_version(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromLong(1);
}

static PyMethodDef speedups_methods[] = {
    {"version", speedups_version, METH_NOARGS,
     "version() -> int\n\nThe version of the accelerator's interface."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "xref._speedups",
    .m_doc = "Optional C accelerator for the xref engine.",
    .m_size = 0,
    .m_methods = speedups_methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModuleDef_Init(&speedups_module);
}
