"""The simulated web's certificate stays small however many sites the world plays."""

from audit.world.certs import WILDCARD_FROM, certificate_names


def test_many_sites_under_one_domain_share_a_wildcard_name():
    sites = [f"sp{i}.example-sp.ru" for i in range(100_000)]
    names = certificate_names(["vk.com", "api.vk.com", "deep.a.b.ru", *sites])
    assert sorted(names) == ["*.example-sp.ru", "api.vk.com", "deep.a.b.ru", "vk.com"]


def test_few_sites_keep_their_own_names():
    sites = [f"s{i}.x.ru" for i in range(WILDCARD_FROM - 1)]
    assert sorted(certificate_names(sites)) == sorted(sites)
