# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Certificate authentication bound to the peer's identity (issue 8, vendor-truth #20) against the lab's PKI.

``mplssec-lab up --pairs 2 --scenario pki:2 --scenario pki-rogue:1``: every router holds a certificate of MPLSSEC-CA
and the lab writes core1/core2 with ``crypto.auth: rsa-sig`` and each router's ``certificate_subject``. On core1,
p2's certificate is for another subject (CN=rogue.mplssec.lab) while still claiming p2's carrier address.

* core2 (IOS-IOS) encrypts: certificate map on the peer's subject, ``match certificate``, ``identity local dn``,
  ``revocation-check crl none`` (the lab's CRL distribution point is unreachable, so the IOS default ``crl`` would
  fail the authentication); the IKE SA authenticates with RSA signatures; a second run changes nothing;
  rollback_p2p gives back both routers byte-identical;
* core1 (IOS-Junos) with the rogue certificate is refused: the phase 1 gate fails (no IKE SA: p1's certificate map
  does not match CN=rogue; the IKE SA gate fails), and both routers are rolled back byte-identical. The lab's reason
  for the refusal is checked by lab/tests/test_pki.py;
* ``--scenario pki`` on the default IOS-Junos pair: the Junos end (own local certificate, DN identities, CA profile
  not blocking on the CRL) encrypts and rolls back byte-identical.
"""

from __future__ import annotations

import json

from test_deploy_lab import Lab, _explain, changed

CORE2 = ("-e", '{"p2p_deploy_links": ["core2"], "p2p_verify_links": ["core2"]}')
CORE1 = ("-e", '{"p2p_deploy_links": ["core1"], "p2p_verify_links": ["core1"]}')


def test_certificate_link_encrypts_and_a_wrong_subject_peer_is_rejected(tmp_path):
    lab = Lab(tmp_path, pairs=2, scenarios=("pki:2", "pki-rogue:1"))
    try:
        before = lab.configs()
        assert " revocation-check crl\n" in before["p3"]
        proc = lab.playbook("encrypt_p2p.yml", *CORE2)
        assert proc.returncode == 0, _explain(proc)
        for host, peer in (("p3", "p4"), ("p4", "p3")):
            config = lab.config(host)
            assert f"crypto pki certificate map MPLSSEC-CORE2 10\n subject-name eq cn={peer}.mplssec.lab,o=mplssec\n" \
                in config, config
            assert " match certificate MPLSSEC-CORE2\n identity local dn\n" in config
            assert "match identity remote address" not in config
            assert " revocation-check crl none\n" in config
            state = json.loads(lab.lab("state", host))
            ike = [s for s in state["ike_sas"] if s["name"] == "MPLSSEC-CORE2"]
            assert ike and ike[0]["established"], state["ike_sas"]
        again = lab.playbook("encrypt_p2p.yml", *CORE2)
        assert again.returncode == 0, _explain(again)
        assert changed(again.stdout) == 0, _explain(again)

        # core1: p2 presents a certificate of the same CA for CN=rogue.mplssec.lab (claiming p2's address)
        proc = lab.playbook("encrypt_p2p.yml", *CORE1, "-e", "deploy_wait_retries=8")
        assert proc.returncode != 0, _explain(proc)
        failed = [x for x in proc.stdout.splitlines() if "link core1 FAILED at" in x]
        assert failed and "check ike_sa" in failed[0] and "rolled back" in failed[0], _explain(proc)
        assert "ROLLBACK INCOMPLETE" not in proc.stdout, _explain(proc)
        for host in ("p1", "p2"):
            assert lab.config(host) == before[host], f"{host} must be back to its exact prior configuration"

        back = lab.playbook("rollback_p2p.yml", *CORE2)
        assert back.returncode == 0, _explain(back)
        assert lab.configs() == before
    finally:
        lab.down()


def test_ios_junos_certificate_link_encrypts_and_rolls_back(tmp_path):
    """IOS-Junos (tunnel mode): the Junos end with its own local certificate, local-identity distinguished-name,
    remote-identity distinguished-name container and the CA profile not blocking on the CRL."""
    lab = Lab(tmp_path, pairs=1, scenarios=("pki",))
    try:
        before = lab.configs()
        proc = lab.playbook("encrypt_p2p.yml")
        assert proc.returncode == 0, _explain(proc)
        junos = lab.config("p2")
        for line in ("local-certificate mplssec-p2;", "local-identity {\n", "distinguished-name;",
                     "container CN=p1.mplssec.lab,O=MPLSSEC;", "on-download-failure;"):
            assert line in junos, junos
        for host in ("p1", "p2"):
            state = json.loads(lab.lab("state", host))
            assert any(s["established"] for s in state["ike_sas"]), state["ike_sas"]
        back = lab.playbook("rollback_p2p.yml")
        assert back.returncode == 0, _explain(back)
        assert lab.configs() == before
    finally:
        lab.down()
