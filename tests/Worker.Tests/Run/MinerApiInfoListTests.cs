using Kiln.Worker.Cli;

namespace Kiln.Worker.Tests.Run;

/// <summary>
/// kiln-worker's miners: <c>MINER_API_INFO</c> as one <c>token:multiaddr</c> or a comma-separated list of them (Lotus
/// cli/util/apiinfo.go ParseApiInfoMulti), or <c>--miner-api-info</c> repeated, which wins over the variable.
/// </summary>
public sealed class MinerApiInfoListTests
{
    private static IReadOnlyList<Kiln.Api.Auth.ApiInfo> Infos(string args, Dictionary<string, string>? env = null) =>
        RunCommand.MinerApiInfos(WorkerCli.Build().Parse("run " + args), name => env?.GetValueOrDefault(name));

    [Fact]
    public void One_address_in_MINER_API_INFO_is_one_miner()
    {
        var info = Assert.Single(Infos("", new() { ["MINER_API_INFO"] = "tok:/ip4/10.0.0.1/tcp/2345/http" }));

        Assert.Equal("tok", info.Token);
        Assert.Equal(new Uri("http://10.0.0.1:2345/rpc/v0"), info.HttpUrl());
    }

    [Fact]
    public void A_comma_separated_MINER_API_INFO_is_every_miner_in_its_order_with_its_own_token()
    {
        var infos = Infos("", new() { ["MINER_API_INFO"] = "a:/ip4/10.0.0.1/tcp/2345/http,b:/ip4/10.0.0.2/tcp/2346/http,/ip4/10.0.0.3/tcp/2347/http" });

        Assert.Equal(["a", "b", null], infos.Select(i => i.Token));
        Assert.Equal(
            [new Uri("http://10.0.0.1:2345/rpc/v0"), new Uri("http://10.0.0.2:2346/rpc/v0"), new Uri("http://10.0.0.3:2347/rpc/v0")],
            infos.Select(i => i.HttpUrl()));
    }

    [Fact]
    public void STORAGE_API_INFO_takes_a_list_too_when_MINER_API_INFO_is_unset()
    {
        var infos = Infos("", new() { ["STORAGE_API_INFO"] = "a:/ip4/10.0.0.1/tcp/1/http,a:/ip4/10.0.0.2/tcp/1/http" });

        Assert.Equal(["10.0.0.1", "10.0.0.2"], infos.Select(i => i.HttpUrl().Host));
    }

    [Fact]
    public void The_flag_repeated_is_the_list_and_wins_over_the_environment()
    {
        var infos = Infos(
            "--miner-api-info x:/ip4/10.0.0.3/tcp/3/http --miner-api-info y:/ip4/10.0.0.4/tcp/4/http",
            new() { ["MINER_API_INFO"] = "env:/ip4/10.0.0.9/tcp/9/http" });

        Assert.Equal(["x", "y"], infos.Select(i => i.Token));
        Assert.Equal([3, 4], infos.Select(i => i.HttpUrl().Port));
    }

    [Fact]
    public void The_flag_takes_a_comma_separated_list_as_well()
    {
        var infos = Infos("--miner-api-info x:/ip4/10.0.0.3/tcp/3/http,x:/ip4/10.0.0.4/tcp/4/http --miner-api-info x:/ip4/10.0.0.5/tcp/5/http");

        Assert.Equal([3, 4, 5], infos.Select(i => i.HttpUrl().Port));
    }

    [Fact]
    public void A_bad_entry_is_named_by_its_position_and_address_but_not_its_token()
    {
        var e = Assert.Throws<ArgumentException>(() => Infos("", new() { ["MINER_API_INFO"] = "secret-a:/ip4/10.0.0.1/tcp/1/http,secret-b:/ip4/10.0.0.2/udp/9" }));

        Assert.StartsWith("MINER_API_INFO entry 2 of 2 '/ip4/10.0.0.2/udp/9' is not a miner API address", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_entry_is_refused_by_its_position()
    {
        var e = Assert.Throws<ArgumentException>(() => Infos("", new() { ["MINER_API_INFO"] = "a:/ip4/10.0.0.1/tcp/1/http,,a:/ip4/10.0.0.2/tcp/1/http" }));

        Assert.StartsWith("MINER_API_INFO entry 2 of 3 is empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_flag_value_names_the_flag()
    {
        var e = Assert.Throws<ArgumentException>(() => Infos("--miner-api-info tok:not-an-address", new() { ["MINER_API_INFO"] = "a:/ip4/10.0.0.1/tcp/1/http" }));

        Assert.StartsWith("--miner-api-info 'not-an-address' is not a miner API address", e.Message, StringComparison.Ordinal);
    }
}
