"""The contract's example lane config, for tests that start from a good file and break one key."""

from __future__ import annotations

GOOD = '''
[lane]
id = "GBDVR-IN-03"
name = "Dover inbound lane 3"

[server]
host = "127.0.0.1"
port = 8080
data_dir = "store"

[upstream]
url = "http://127.0.0.1:9090"
token = "secret"
hub_key = "ed25519:A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="

[terminal_servers]
hosts = ["127.0.0.1"]

[[devices]]
id = "scale-1"
kind = "scale"
driver = "mt-sics"
port = "/dev/ttyUSB0"
baudrate = 19200
parity = "E"
bytesize = 7

[[devices]]
id = "trace-1"
kind = "trace"
driver = "etd-ascii"
port = "socket://127.0.0.1:4001"
'''
