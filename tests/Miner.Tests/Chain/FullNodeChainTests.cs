using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Proving;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Chain;

/// <summary>Cluster tier: <see cref="FullNodeChain"/> over HTTP against a stand-in Lotus full node on loopback.</summary>
public sealed class FullNodeChainTests : IAsyncLifetime
{
    /// <summary>A dline.Info as Lotus computes it (dline.NewInfo, mainnet policy) for period start 4862040, deadline 20, at 4863283.</summary>
    public const string RealisticDeadline = """
        {"CurrentEpoch":4863283,"PeriodStart":4862040,"Index":20,"Open":4863240,"Close":4863300,"Challenge":4863220,"FaultCutoff":4863170,
         "WPoStPeriodDeadlines":48,"WPoStProvingPeriod":2880,"WPoStChallengeWindow":60,"WPoStChallengeLookback":20,"FaultDeclarationCutoff":70}
        """;

    private FakeFullNode _node = null!;

    public async Task InitializeAsync() => _node = await FakeFullNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task The_head_epoch_is_the_height_of_the_documented_ChainHead_and_calls_carry_the_token()
    {
        var chain = Chain();

        var head = await chain.HeadAsync(CancellationToken.None);

        Assert.Equal(4863283, head.Height);
        Assert.Equal([Cid.Parse(FakeFullNode.HeadCid)], head.Cids);
        Assert.Single(head.Blocks);
        Assert.Equal(4863283, await chain.HeadEpochAsync(CancellationToken.None));
        Assert.Equal(new Uri($"http://127.0.0.1:{_node.Port}/rpc/v1"), chain.Endpoint);
        Assert.All(_node.ParamsOf("Filecoin.ChainHead"), p => Assert.Equal(0, p.GetArrayLength()));
    }

    [Fact]
    public async Task The_proving_deadline_reads_every_dline_Info_field_at_the_head_tipset()
    {
        var chain = Chain();

        var example = await chain.ProvingDeadlineAsync(1000, CancellationToken.None);
        Assert.Equal(
            (10101L, 10101L, 42, 10101L, 10101L, 10101L, 10101L, 42, 10101L, 10101L, 10101L, 10101L),
            (example.CurrentEpoch, example.PeriodStart, example.Index, example.Open, example.Close, example.Challenge, example.FaultCutoff,
             example.WPoStPeriodDeadlines, example.WPoStProvingPeriod, example.WPoStChallengeWindow, example.WPoStChallengeLookback, example.FaultDeclarationCutoff));

        _node.Results["Filecoin.StateMinerProvingDeadline"] = RealisticDeadline;
        var d = await chain.ProvingDeadlineAsync(1000, CancellationToken.None);
        Assert.Equal(
            new DeadlineInfo(4863283, 4862040, 20, 4863240, 4863300, 4863220) { FaultCutoff = 4863170 },
            d);
        Assert.Equal((21, 4863300L, 4863360L, 4863280L, 4863230L), (d.Next().Index, d.Next().Open, d.Next().Close, d.Next().Challenge, d.Next().FaultCutoff));

        var p = _node.ParamsOf("Filecoin.StateMinerProvingDeadline")[^1];
        Assert.Equal("""["t01000",[{"/":"bafy2bzacedo7hjsumaajt6sbor42qycvjyk6goqe4oi4o4ddsjxkdeqrqf42c"}]]""", p.GetRawText());
    }

    [Fact]
    public async Task A_deadline_proves_its_partitions_live_sectors_less_the_faulty_plus_the_recovering()
    {
        var chain = Chain(network: 'f');

        // The documented example: every set is {5}; sector 5 is faulty but recovering, so it is proven.
        Assert.Equal([5UL], await chain.DeadlineSectorsAsync(1000, DeadlineInfo.At(0), [4, 5, 6], CancellationToken.None));

        // Partition 0: all {0..9}, live {0..8}, faulty {3,4}, recovering {4}; partition 1: live {20,21,22}, no faults.
        _node.Results["Filecoin.StateMinerPartitions"] = """
            [{"AllSectors":[0,10],"FaultySectors":[3,2],"RecoveringSectors":[4,1],"LiveSectors":[0,9],"ActiveSectors":[0,3,2,4]},
             {"AllSectors":[20,3],"FaultySectors":[0],"RecoveringSectors":[0],"LiveSectors":[20,3],"ActiveSectors":[20,3]}]
            """;
        var sectors = await chain.DeadlineSectorsAsync(1000, DeadlineInfo.At(2880 + 300), [.. Enumerable.Range(0, 30).Select(i => (ulong)i)], CancellationToken.None);

        Assert.Equal([0UL, 1, 2, 4, 5, 6, 7, 8, 20, 21, 22], sectors);
        var p = _node.ParamsOf("Filecoin.StateMinerPartitions")[^1];
        Assert.Equal("""["f01000",5,[{"/":"bafy2bzacedo7hjsumaajt6sbor42qycvjyk6goqe4oi4o4ddsjxkdeqrqf42c"}]]""", p.GetRawText());

        _node.Results["Filecoin.StateMinerPartitions"] = "[]";
        Assert.Empty(await chain.DeadlineSectorsAsync(1000, DeadlineInfo.At(0), [5], CancellationToken.None));
    }

    [Fact]
    public async Task Each_sector_is_counted_in_the_deadline_whose_partitions_hold_it_at_one_head()
    {
        _node.Results["Filecoin.StateMinerProvingDeadline"] = RealisticDeadline;
        _node.Answer = (method, p) => method == "Filecoin.StateMinerPartitions"
            ? p[1].GetInt64() switch
            {
                // Deadline 3: sectors 10 and 11 (11 faulty, still assigned); deadline 40: sector 60; every other deadline empty.
                3 => """[{"AllSectors":[10,2],"FaultySectors":[11,1],"RecoveringSectors":[],"LiveSectors":[10,2],"ActiveSectors":[10,1]}]""",
                40 => """[{"AllSectors":[60,1],"FaultySectors":[],"RecoveringSectors":[],"LiveSectors":[60,1],"ActiveSectors":[60,1]}]""",
                _ => "[]",
            }
            : null;
        var chain = Chain();

        var assigned = await chain.SectorDeadlinesAsync(1000, [10, 11, 60, 99], CancellationToken.None);

        Assert.Equal(new Dictionary<ulong, int> { [10] = 3, [11] = 3, [60] = 40 }, assigned);
        Assert.Equal(Enumerable.Range(0, 48).Select(i => (long)i), _node.ParamsOf("Filecoin.StateMinerPartitions").Select(p => p[1].GetInt64()));
        Assert.Single(_node.ParamsOf("Filecoin.ChainHead"));
        Assert.Empty(await chain.SectorDeadlinesAsync(1000, [], CancellationToken.None));

        // At the same head the partitions are not read again; once the head moves they are.
        Assert.Equal(new Dictionary<ulong, int> { [60] = 40 }, await chain.SectorDeadlinesAsync(1000, [60], CancellationToken.None));
        Assert.Equal(48, _node.ParamsOf("Filecoin.StateMinerPartitions").Count);
        _node.ScriptHeads(4863284);
        Assert.Equal(new Dictionary<ulong, int> { [60] = 40 }, await chain.SectorDeadlinesAsync(1000, [60], CancellationToken.None));
        Assert.Equal(96, _node.ParamsOf("Filecoin.StateMinerPartitions").Count);
    }

    [Fact]
    public async Task A_seal_ticket_is_ticket_randomness_a_finality_behind_the_head_with_the_miner_address_in_CBOR()
    {
        var chain = Chain();

        var ticket = await chain.SealTicketAsync(1000, 7, CancellationToken.None);

        Assert.Equal([0x07], ticket.Value);
        Assert.Equal(4863283 - 900, ticket.Epoch);
        var p = Assert.Single(_node.ParamsOf("Filecoin.StateGetRandomnessFromTickets"));
        Assert.Equal(5, p[0].GetInt64()); // DomainSeparationTag_SealRandomness
        Assert.Equal(4863283 - 900, p[1].GetInt64());
        Assert.Equal([0x43, 0x00, 0xe8, 0x07], p[2].GetBytesFromBase64()); // CBOR of t01000
        Assert.Equal(FakeFullNode.HeadCid, p[3][0].GetProperty("/").GetString());
        Assert.Empty(_node.ParamsOf("Filecoin.StateGetRandomnessFromBeacon"));
    }

    [Fact]
    public async Task The_interactive_seed_waits_for_its_epoch_and_confidence_then_asks_the_beacon()
    {
        // Pre-committed at 1000: the seed is drawn at 1150 (the network's PreCommitChallengeDelay, 150 on mainnet) once the
        // head reaches 1156 (InteractivePoRepConfidence 6).
        _node.Results["Filecoin.StateGetNetworkParams"] = """{"NetworkName":"mainnet","BlockDelaySecs":30,"PreCommitChallengeDelay":150}""";
        _node.ScriptHeads(1100, 1150, 1155, 1156);
        var rand = Enumerable.Range(0, 32).Select(i => (byte)(i + 1)).ToArray();
        _node.Results["Filecoin.StateGetRandomnessFromBeacon"] = JsonSerializer.Serialize(Convert.ToBase64String(rand));
        var chain = Chain(poll: TimeSpan.FromMilliseconds(1));

        var seed = await chain.InteractiveSeedAsync(1000, 7, 1000, CancellationToken.None);

        Assert.Equal(rand, seed.Value);
        Assert.Equal(1150, seed.Epoch);
        Assert.Equal(5, _node.ParamsOf("Filecoin.ChainHead").Count); // polled at 1100, 1150, 1155 and 1156, then the head for the draw
        var p = Assert.Single(_node.ParamsOf("Filecoin.StateGetRandomnessFromBeacon"));
        Assert.Equal((6L, 1150L), (p[0].GetInt64(), p[1].GetInt64())); // DomainSeparationTag_InteractiveSealChallengeSeed
        Assert.Equal([0x43, 0x00, 0xe8, 0x07], p[2].GetBytesFromBase64());
    }

    [Fact]
    public async Task Randomness_asks_the_beacon_with_the_PoSt_tag_the_epoch_and_the_miner_address_in_CBOR()
    {
        var chain = Chain();
        var deadline = DeadlineInfo.At(4863283);

        Assert.Equal([0x07], await chain.WindowPoStRandomnessAsync(1000, deadline, CancellationToken.None));
        var window = _node.ParamsOf("Filecoin.StateGetRandomnessFromBeacon")[^1];
        Assert.Equal(4, window[0].GetInt64()); // DomainSeparationTag_WindowedPoStChallengeSeed
        Assert.Equal(deadline.Challenge, window[1].GetInt64());
        Assert.Equal([0x43, 0x00, 0xe8, 0x07], window[2].GetBytesFromBase64()); // CBOR of t01000
        Assert.Equal("QwDoBw==", window[2].GetString());
        Assert.Equal(FakeFullNode.HeadCid, window[3][0].GetProperty("/").GetString());

        var rand = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        _node.Results["Filecoin.StateGetRandomnessFromBeacon"] = JsonSerializer.Serialize(Convert.ToBase64String(rand));
        Assert.Equal(rand, await chain.WinningPoStRandomnessAsync(1000, 4863280, CancellationToken.None));
        var winning = _node.ParamsOf("Filecoin.StateGetRandomnessFromBeacon")[^1];
        Assert.Equal((3L, 4863280L), (winning[0].GetInt64(), winning[1].GetInt64())); // DomainSeparationTag_WinningPoStChallengeSeed
    }

    [Theory]
    [InlineData(0UL, "420000")]
    [InlineData(1000UL, "4300e807")]
    [InlineData(127UL, "42007f")]
    [InlineData(128UL, "43008001")]
    [InlineData((ulong)long.MaxValue, "4a00ffffffffffffffff7f")]
    public void The_entropy_is_go_address_MarshalCBOR_of_the_ID_address(ulong id, string hex) =>
        Assert.Equal(hex, Convert.ToHexStringLower(FullNodeChain.IdAddressCbor(id)));

    [Fact]
    public async Task Waiting_for_an_epoch_polls_the_head_until_it_gets_there()
    {
        _node.ScriptHeads(100, 101, 102, 103);
        var chain = Chain(poll: TimeSpan.FromMilliseconds(10));

        await chain.WaitForEpochAsync(103, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(4, _node.ParamsOf("Filecoin.ChainHead").Count);
        await chain.WaitForEpochAsync(50, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(5, _node.ParamsOf("Filecoin.ChainHead").Count);

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chain.WaitForEpochAsync(200, cts.Token));
    }

    [Theory]
    [InlineData("not-an-api-info")]
    [InlineData("TOKEN:/ip4/127.0.0.1/udp/1234")]
    [InlineData("TOKEN:/ip4/127.0.0.1")]
    public void A_bad_FULLNODE_API_INFO_is_refused_with_what_was_expected(string apiInfo)
    {
        var e = Assert.Throws<FormatException>(() => FullNodeChain.Connect(apiInfo, 't', TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger<FullNodeChain>.Instance));
        Assert.Contains("FULLNODE_API_INFO", e.Message, StringComparison.Ordinal);
        Assert.Contains("TOKEN:MULTIADDR", e.Message, StringComparison.Ordinal);

        var options = new ProvingOptions { FullNodeApiInfo = apiInfo };
        Assert.Contains("FULLNODE_API_INFO", Assert.Throws<InvalidOperationException>(options.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Api_info_strings_dial_the_v1_http_endpoint_as_Lotus_does()
    {
        Assert.Equal((new Uri("http://127.0.0.1:1234/rpc/v1"), "TOKEN"), FullNodeChain.ParseApiInfo("TOKEN:/ip4/127.0.0.1/tcp/1234/http"));
        Assert.Equal((new Uri("http://10.0.0.5:1234/rpc/v1"), "A"), FullNodeChain.ParseApiInfo("A:/ip4/10.0.0.5/tcp/1234/http,B:/ip4/10.0.0.6/tcp/1234/http"));
        Assert.Equal((new Uri("https://node.example:443/rpc/v1"), (string?)null), FullNodeChain.ParseApiInfo("/dns/node.example/tcp/443/wss"));
        Assert.Equal((new Uri("http://localhost:1234/rpc/v1"), "T"), FullNodeChain.ParseApiInfo("T:ws://localhost:1234"));
    }

    [Fact]
    public async Task An_unreachable_node_is_a_retryable_error_that_names_the_node()
    {
        // A port held bound but not listening: connections to it are refused, and nothing else can take it meanwhile.
        using var unreachable = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        unreachable.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)unreachable.LocalEndPoint!).Port;
        var chain = FullNodeChain.Connect($"{FakeFullNode.Token}:/ip4/127.0.0.1/tcp/{port}/http", 't', TimeSpan.FromMilliseconds(10), TimeProvider.System, NullLogger<FullNodeChain>.Instance);

        var e = await Assert.ThrowsAsync<ChainException>(() => chain.HeadEpochAsync(CancellationToken.None));

        Assert.True(e.IsRetryable);
        Assert.Contains($"full node http://127.0.0.1:{port}/rpc/v1 unreachable: ChainHead", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_JSON_RPC_error_from_the_node_is_a_ChainException_with_the_method_and_the_node_message()
    {
        _node.Errors["Filecoin.StateMinerProvingDeadline"] = "resolution lookup failed (t01000): actor not found";
        var chain = Chain();

        var e = await Assert.ThrowsAsync<ChainException>(() => chain.ProvingDeadlineAsync(1000, CancellationToken.None));

        Assert.False(e.IsRetryable);
        Assert.Contains("StateMinerProvingDeadline failed: resolution lookup failed (t01000): actor not found (JSON-RPC error 1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_and_not_retried()
    {
        var chain = FullNodeChain.Connect(_node.ApiInfo.Replace(FakeFullNode.Token, "wrong", StringComparison.Ordinal), 't', TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger<FullNodeChain>.Instance);

        var e = await Assert.ThrowsAsync<ChainException>(() => chain.HeadEpochAsync(CancellationToken.None));

        Assert.False(e.IsRetryable);
        Assert.Contains("rejected the token (401)", e.Message, StringComparison.Ordinal);
        Assert.Empty(_node.Calls);
    }

    private FullNodeChain Chain(char network = 't', TimeSpan? poll = null) =>
        FullNodeChain.Connect(_node.ApiInfo, network, poll ?? TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger<FullNodeChain>.Instance);
}
