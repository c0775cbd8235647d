"""Offline stand-in for the get-pip.py bootstrap script that ansible-test downloads.

ansible-test creates one virtual environment per sanity test (~/.ansible/test/venv) without pip and then
runs https://ci-files.testing.ansible.com/ansible-test/get-pip-<version>.py in it. That host is not
reachable from our machines (PyPI is), so `make sanity` copies this file to the cache path ansible-test
looks at first (~/.ansible/test/cache/get_pip_<version>.py). It takes the same arguments as get-pip.py:
seed pip with the interpreter's bundled ensurepip, then let that pip install the requested pip from PyPI.
"""
import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", *args])
