using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Tests.Chain;

/// <summary>
/// The mining methods' examples of Lotus build/openrpc/full.json (MinerGetBaseInfo, MinerCreateBlock, SyncSubmitBlock,
/// StateGetBeaconEntry, WalletSign) read through <see cref="ApiJson.Options"/> and written back as the docs show them.
/// </summary>
public sealed class MiningJsonTests
{
    private const string DocCid = "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4";
    private const string DocCid2 = "bafy2bzacebp3shtrn43k7g3unredz7fxn4gj533d3o43tqn2p2ipxxhrvchve";

    // Filecoin.MinerGetBaseInfo
    private const string BaseInfoJson = """
        {"MinerPower":"0","NetworkPower":"0","Sectors":[{"SealProof":8,"SectorNumber":9,"SectorKey":{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"},"SealedCID":{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"}}],"WorkerKey":"f01234","SectorSize":34359738368,"PrevBeaconEntry":{"Round":42,"Data":"Ynl0ZSBhcnJheQ=="},"BeaconEntries":[{"Round":42,"Data":"Ynl0ZSBhcnJheQ=="}],"EligibleForMining":true}
        """;

    // Filecoin.MinerCreateBlock's param
    private const string TemplateJson = """
        {"Miner":"f01234","Parents":[{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"},{"/":"bafy2bzacebp3shtrn43k7g3unredz7fxn4gj533d3o43tqn2p2ipxxhrvchve"}],"Ticket":{"VRFProof":"Ynl0ZSBhcnJheQ=="},"Eproof":{"WinCount":9,"VRFProof":"Ynl0ZSBhcnJheQ=="},"BeaconValues":[{"Round":42,"Data":"Ynl0ZSBhcnJheQ=="}],"Messages":[{"Message":{"Version":42,"To":"f01234","From":"f01234","Nonce":42,"Value":"0","GasLimit":9,"GasFeeCap":"0","GasPremium":"0","Method":1,"Params":"Ynl0ZSBhcnJheQ==","CID":{"/":"bafy2bzacebbpdegvr3i4cosewthysg5xkxpqfn2wfcz6mv2hmoktwbdxkax4s"}},"Signature":{"Type":2,"Data":"Ynl0ZSBhcnJheQ=="},"CID":{"/":"bafy2bzacebbpdegvr3i4cosewthysg5xkxpqfn2wfcz6mv2hmoktwbdxkax4s"}}],"Epoch":10101,"Timestamp":42,"WinningPoStProof":[{"PoStProof":8,"ProofBytes":"Ynl0ZSBhcnJheQ=="}]}
        """;

    // Filecoin.MinerCreateBlock's result, SyncSubmitBlock's param
    private const string BlockMsgJson = """
        {"Header":{"Miner":"f01234","Ticket":{"VRFProof":"Ynl0ZSBhcnJheQ=="},"ElectionProof":{"WinCount":9,"VRFProof":"Ynl0ZSBhcnJheQ=="},"BeaconEntries":[{"Round":42,"Data":"Ynl0ZSBhcnJheQ=="}],"WinPoStProof":[{"PoStProof":8,"ProofBytes":"Ynl0ZSBhcnJheQ=="}],"Parents":[{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"}],"ParentWeight":"0","Height":10101,"ParentStateRoot":{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"},"ParentMessageReceipts":{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"},"Messages":{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"},"BLSAggregate":{"Type":2,"Data":"Ynl0ZSBhcnJheQ=="},"Timestamp":42,"BlockSig":{"Type":2,"Data":"Ynl0ZSBhcnJheQ=="},"ForkSignaling":42,"ParentBaseFee":"0"},"BlsMessages":[{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"}],"SecpkMessages":[{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"}]}
        """;

    private static readonly byte[] DocBytes = "byte array"u8.ToArray();

    [Fact]
    public void Miner_get_base_info()
    {
        var info = RoundTrip<MiningBaseInfo>(BaseInfoJson);
        Assert.Equal(BigInteger.Zero, info.MinerPower);
        var sector = Assert.Single(info.Sectors!);
        Assert.Equal((RegisteredSealProof.StackedDrg32GiBV1_1, 9UL, DocCid, DocCid), (sector.SealProof, sector.SectorNumber, sector.SealedCID.ToString(), sector.SectorKey?.ToString()));
        Assert.Equal(Address.FromId(1234), info.WorkerKey);
        Assert.Equal(34359738368UL, info.SectorSize);
        Assert.Equal(new BeaconEntry(42, DocBytes), info.PrevBeaconEntry);
        Assert.Equal(new BeaconEntry(42, DocBytes), Assert.Single(info.BeaconEntries!));
        Assert.True(info.EligibleForMining);
    }

    [Fact]
    public void Powers_are_decimal_strings_of_any_size_and_the_randomness_base_is_the_last_entry()
    {
        var json = BaseInfoJson.Replace("\"MinerPower\":\"0\"", "\"MinerPower\":\"123456789012345678901234567890\"", StringComparison.Ordinal)
            .Replace("\"BeaconEntries\":[{\"Round\":42,\"Data\":\"Ynl0ZSBhcnJheQ==\"}]", "\"BeaconEntries\":[{\"Round\":42,\"Data\":\"Ynl0ZSBhcnJheQ==\"},{\"Round\":43,\"Data\":\"AQ==\"}]", StringComparison.Ordinal);
        var info = RoundTrip<MiningBaseInfo>(json);
        Assert.Equal(BigInteger.Parse("123456789012345678901234567890", System.Globalization.CultureInfo.InvariantCulture), info.MinerPower);
        Assert.Equal(new BeaconEntry(43, [1]), info.RandomnessBase);
        Assert.Equal(info.PrevBeaconEntry, (info with { BeaconEntries = [] }).RandomnessBase);
    }

    [Fact]
    public void Miner_create_block_template()
    {
        var template = RoundTrip<BlockTemplate>(TemplateJson);
        Assert.Equal([Cid.Parse(DocCid), Cid.Parse(DocCid2)], template.Parents);
        Assert.Equal(new Ticket(DocBytes), template.Ticket);
        Assert.Equal(new ElectionProof(9, DocBytes), template.Eproof);
        Assert.Equal(new BeaconEntry(42, DocBytes), Assert.Single(template.BeaconValues));
        var message = Assert.Single(template.Messages);
        Assert.Equal(new Signature(2, DocBytes), message.Signature);
        Assert.Equal((10101L, 42UL), (template.Epoch, template.Timestamp));
        Assert.Equal(new PoStProof(RegisteredPoStProof.StackedDrgWindow32GiBV1, DocBytes).ProofType, Assert.Single(template.WinningPoStProof).ProofType);
    }

    [Fact]
    public void Block_msg_and_its_header()
    {
        var block = RoundTrip<BlockMsg>(BlockMsgJson);
        Assert.Equal(10101, block.Header.Height);
        Assert.Equal(Address.FromId(1234), block.Header.Miner);
        Assert.Equal(new ElectionProof(9, DocBytes), block.Header.ElectionProof);
        Assert.Equal(new Signature(2, DocBytes), block.Header.BlsAggregate);
        Assert.Equal(42UL, block.Header.ForkSignaling);
        Assert.Equal([Cid.Parse(DocCid)], block.BlsMessages);
    }

    [Fact]
    public void The_header_cid_is_the_dag_cbor_blake2b_cid_of_its_16_tuple()
    {
        var block = JsonSerializer.Deserialize<BlockMsg>(BlockMsgJson, ApiJson.Options)!;
        var cbor = block.Header.ToCbor();
        Assert.Equal(0x90, cbor[0]); // a 16-element array
        Assert.Equal([0x43, 0x00, 0xd2, 0x09], cbor[1..5]); // the miner f01234: a 3-byte string of protocol 0 and LEB128 1234
        Assert.Equal([0x81, 0x4a], cbor[5..7]); // the ticket: a 1-tuple holding a 10-byte string
        var cid = block.Cid().ToString();
        Assert.StartsWith("bafy2bzace", cid, StringComparison.Ordinal);
        Assert.NotEqual(cid, (block with { Header = block.Header with { Height = 10102 } }).Cid().ToString());
    }

    [Fact]
    public void Beacon_entry_and_signature()
    {
        Assert.Equal(new BeaconEntry(42, DocBytes), RoundTrip<BeaconEntry>("""{"Round":42,"Data":"Ynl0ZSBhcnJheQ=="}"""));
        Assert.Equal(new Signature(2, DocBytes), RoundTrip<Signature>("""{"Type":2,"Data":"Ynl0ZSBhcnJheQ=="}"""));
    }

    /// <summary>Reads the doc example, writes it back, and checks the written JSON is the doc's.</summary>
    private static T RoundTrip<T>(string docJson)
    {
        var value = JsonSerializer.Deserialize<T>(docJson, ApiJson.Options)!;
        var written = JsonNode.Parse(JsonSerializer.Serialize(value, ApiJson.Options))!;
        var doc = JsonNode.Parse(docJson)!;
        Assert.True(JsonNode.DeepEquals(doc, written), $"{typeof(T).Name}: docs {doc.ToJsonString()}, written {written.ToJsonString()}");
        return value;
    }
}
