using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Tests.Chain;

/// <summary>
/// The example results of Lotus build/openrpc/full.json for the full-node methods sealing reads, read through
/// <see cref="ApiJson.Options"/> and written back: every field Kiln models comes back as the docs show it (the others
/// are ignored on reading and absent on writing).
/// </summary>
public sealed class DocExampleJsonTests
{
    private const string DocCid = "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4";

    // Filecoin.StateMinerInfo
    private const string MinerInfoJson = """
        {"Owner":"f01234","Worker":"f01234","NewWorker":"f01234","ControlAddresses":["f01234"],"WorkerChangeEpoch":10101,"PeerId":"12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf","Multiaddrs":["Ynl0ZSBhcnJheQ=="],"WindowPoStProofType":8,"SectorSize":34359738368,"WindowPoStPartitionSectors":42,"ConsensusFaultElapsed":10101,"PendingOwnerAddress":"f01234","Beneficiary":"f01234","BeneficiaryTerm":{"Quota":"0","UsedQuota":"0","Expiration":10101},"PendingBeneficiaryTerm":{"NewBeneficiary":"f01234","NewQuota":"0","NewExpiration":10101,"ApprovedByBeneficiary":true,"ApprovedByNominee":true}}
        """;

    // Filecoin.StateSectorPreCommitInfo
    private const string PreCommitJson = """
        {"Info":{"SealProof":8,"SectorNumber":9,"SealedCID":{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"},"SealRandEpoch":10101,"DealIDs":[5432],"Expiration":10101,"UnsealedCid":{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"}},"PreCommitDeposit":"0","PreCommitEpoch":10101}
        """;

    // Filecoin.StateSectorGetInfo
    private const string SectorInfoJson = """
        {"SectorNumber":9,"SealProof":8,"SealedCID":{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"},"Activation":10101,"Expiration":10101,"DealWeight":"0","VerifiedDealWeight":"0","InitialPledge":"0","ExpectedDayReward":"0","ExpectedStoragePledge":"0","PowerBaseEpoch":10101,"ReplacedDayReward":"0","SectorKeyCID":{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"},"Flags":0,"DailyFee":"0"}
        """;

    // Filecoin.StateWaitMsg
    private const string MsgLookupJson = """
        {"Message":{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"},"Receipt":{"ExitCode":0,"Return":"Ynl0ZSBhcnJheQ==","GasUsed":9,"EventsRoot":{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"}},"ReturnDec":{},"TipSet":[{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"},{"/":"bafy2bzacebp3shtrn43k7g3unredz7fxn4gj533d3o43tqn2p2ipxxhrvchve"}],"Height":10101}
        """;

    // Filecoin.StateGetNetworkParams (ForkUpgradeParams shortened: Kiln does not read it)
    private const string NetworkParamsJson = """
        {"NetworkName":"lotus","BlockDelaySecs":42,"ConsensusMinerMinPower":"0","PreCommitChallengeDelay":10101,"ForkUpgradeParams":{"UpgradeSmokeHeight":10101,"UpgradeXxHeight":10101},"Eip155ChainID":123,"GenesisTimestamp":42}
        """;

    // Filecoin.StateSectorPartition
    private const string PartitionJson = """{"Deadline":42,"Partition":42}""";

    [Fact]
    public void State_miner_info()
    {
        var info = RoundTrip<MinerInfo>(MinerInfoJson);
        Assert.Equal(Address.FromId(1234), info.Owner);
        Assert.Equal(Address.FromId(1234), info.Worker);
        Assert.Equal([Address.FromId(1234)], info.ControlAddresses!);
        Assert.Equal(34359738368UL, info.SectorSize);
        Assert.Equal(42UL, info.WindowPoStPartitionSectors);
        Assert.Equal(RegisteredPoStProof.StackedDrgWindow32GiBV1, info.WindowPoStProofType); // 8
        Assert.Equal("12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf", info.PeerId);
    }

    [Fact]
    public void State_sector_precommit_info()
    {
        var info = RoundTrip<SectorPreCommitOnChainInfo>(PreCommitJson);
        Assert.Equal(RegisteredSealProof.StackedDrg32GiBV1_1, info.Info.SealProof);
        Assert.Equal(9UL, info.Info.SectorNumber);
        Assert.Equal(DocCid, info.Info.SealedCID.ToString());
        Assert.Equal([5432UL], info.Info.DealIDs!);
        Assert.Equal(DocCid, info.Info.UnsealedCid?.ToString());
        Assert.Equal(10101, info.PreCommitEpoch);
        Assert.Equal(TokenAmount.Zero, info.PreCommitDeposit);
    }

    [Fact]
    public void Precommit_info_without_unsealed_cid_writes_null()
    {
        var json = PreCommitJson.Replace("\"UnsealedCid\":{\"/\":\"" + DocCid + "\"}", "\"UnsealedCid\":null", StringComparison.Ordinal);
        var info = RoundTrip<SectorPreCommitOnChainInfo>(json);
        Assert.Null(info.Info.UnsealedCid);
    }

    [Fact]
    public void State_sector_get_info()
    {
        var info = RoundTrip<SectorOnChainInfo>(SectorInfoJson);
        Assert.Equal(9UL, info.SectorNumber);
        Assert.Equal(10101, info.Activation);
        Assert.Equal(DocCid, info.SectorKeyCID?.ToString());
    }

    [Fact]
    public void State_wait_msg()
    {
        var lookup = RoundTrip<MsgLookup>(MsgLookupJson);
        Assert.Equal(DocCid, lookup.Message.ToString());
        Assert.Equal(ExitCodes.Ok, lookup.Receipt.ExitCode);
        Assert.Equal("byte array"u8.ToArray(), lookup.Receipt.Return);
        Assert.Equal(9, lookup.Receipt.GasUsed);
        Assert.Equal(2, lookup.TipSet.Count);
        Assert.Equal(10101, lookup.Height);
    }

    [Fact]
    public void Receipt_without_return_or_events_writes_nulls()
    {
        var receipt = new MessageReceipt(ExitCodes.SysErrOutOfGas, null, 100);
        var json = JsonSerializer.Serialize(receipt, ApiJson.Options);
        Assert.Equal("""{"ExitCode":7,"Return":null,"GasUsed":100,"EventsRoot":null}""", json);
        Assert.Equal(receipt, JsonSerializer.Deserialize<MessageReceipt>(json, ApiJson.Options));
    }

    [Fact]
    public void State_get_network_params()
    {
        var p = RoundTrip<NetworkParams>(NetworkParamsJson);
        Assert.Equal("lotus", p.NetworkName);
        Assert.Equal(42UL, p.BlockDelaySecs);
        Assert.Equal(10101, p.PreCommitChallengeDelay);
    }

    [Fact]
    public void State_sector_partition()
    {
        Assert.Equal(new SectorPartitionLocation(42, 42), RoundTrip<SectorPartitionLocation>(PartitionJson));
    }

    [Fact]
    public void Params_records_use_lotus_field_names()
    {
        var piece = new PieceActivationManifest(Cid.Parse(DocCid), 2048, new VerifiedAllocationKey(1001, 7), [new DataActivationNotification(Address.FromId(5), [1])]);
        var json = JsonSerializer.Serialize(piece, ApiJson.Options);
        Assert.Equal(
            """{"CID":{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"},"Size":2048,"VerifiedAllocationKey":{"Client":1001,"ID":7},"Notify":[{"Address":"f05","Payload":"AQ=="}]}""",
            json);
        Assert.Equal(piece, JsonSerializer.Deserialize<PieceActivationManifest>(json, ApiJson.Options));

        var batch = new BatchReturn(1, [(2UL, ExitCodes.ErrIllegalArgument)]);
        json = JsonSerializer.Serialize(batch, ApiJson.Options);
        Assert.Equal("""{"SuccessCount":1,"FailCodes":[{"Idx":2,"Code":16}]}""", json);
        Assert.Equal(batch, JsonSerializer.Deserialize<BatchReturn>(json, ApiJson.Options));
    }

    /// <summary>Reads the doc example, writes it back, and checks each written field against the doc's.</summary>
    private static T RoundTrip<T>(string docJson)
    {
        var value = JsonSerializer.Deserialize<T>(docJson, ApiJson.Options)!;
        var written = JsonNode.Parse(JsonSerializer.Serialize(value, ApiJson.Options))!.AsObject();
        var doc = JsonNode.Parse(docJson)!.AsObject();
        Assert.NotEmpty(written);
        foreach (var (name, node) in written)
        {
            Assert.True(doc.ContainsKey(name), $"{typeof(T).Name} writes {name}, which the docs do not show");
            Assert.True(JsonNode.DeepEquals(doc[name], node), $"{typeof(T).Name}.{name}: docs {doc[name]?.ToJsonString()}, written {node?.ToJsonString()}");
        }

        Assert.Equal(value, JsonSerializer.Deserialize<T>(written.ToJsonString(), ApiJson.Options));
        return value;
    }
}
