using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Kiln.Testing.Chain;
using Kiln.Testing.Chain.Cbor;

namespace Kiln.Miner.Tests.Chain;

/// <summary>
/// The stand-in Lotus full node on its own: its strict CBOR decoder against byte strings written out by hand from
/// go-state-types builtin/v16/miner cbor_gen.go, address and CID text against values from Lotus's sources, its JSON
/// answers against the shapes of Lotus's build/openrpc/full.json examples, and its chain model and fault knobs over HTTP.
/// </summary>
public sealed class LotusNodeStandInTests : IAsyncLifetime
{
    /// <summary>A comm_r: 32 bytes 0x01..0x20.</summary>
    private static readonly byte[] CommR = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    /// <summary>Bounded so that a wait the node never answers fails the test instead of hanging it.</summary>
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private LotusNodeStandIn _node = null!;

    public async Task InitializeAsync() => _node = await LotusNodeStandIn.StartAsync(startHeight: 1000);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    /// <summary>Hex with whitespace and <c>//</c> comments (the annotations) removed.</summary>
    private static byte[] Hex(string annotated) =>
        Convert.FromHexString(string.Concat(annotated.Split('\n').Select(l => l.Split("//")[0]).SelectMany(l => l.Where(char.IsAsciiHexDigit))));

    /// <summary>
    /// go-state-types builtin/v16/miner cbor_gen.go SectorPreCommitInfo.MarshalCBOR for one sector, SealProof 5
    /// (StackedDrg2KiBV1_1), comm_r <see cref="CommR"/>, no deals, no unsealed CID.
    /// </summary>
    private static string SectorHex(ulong number, long sealRandEpoch, long expiration) => $"""
        87                                  // array(7): SectorPreCommitInfo
          05                                // SealProof: int64 5
          {UIntHex(number)}                 // SectorNumber: uint64
          d8 2a                             // SealedCID: tag(42)
            58 29                           //   bytes(41)
              00                            //   identity multibase prefix cbor-gen writes before the CID
              01                            //   CIDv1
              82 e2 03                      //   codec 0xf102 fil-commitment-sealed (varint)
              81 e8 02                      //   multihash 0xb401 poseidon-bls12_381-a2-fc1 (varint)
              20                            //   digest length 32
              {Convert.ToHexString(CommR)}  //   comm_r
          {UIntHex((ulong)sealRandEpoch)}   // SealRandEpoch: int64 (positive: major type 0)
          80                                // DealIDs: array(0)
          {UIntHex((ulong)expiration)}      // Expiration: int64
          f6                                // UnsealedCid: nil pointer, null
        """;

    /// <summary>A shortest-form major type 0 head, as cbor-gen's WriteMajorTypeHeader writes it.</summary>
    private static string UIntHex(ulong v) => Convert.ToHexString(new TupleCborWriter().UInt(v).ToArray());

    /// <summary>PreCommitSectorBatchParams2: array(1) holding the Sectors array.</summary>
    private static byte[] PreCommitParams(long sealRandEpoch, long expiration, params ulong[] numbers) =>
        Hex("81 " + Convert.ToHexString(new TupleCborWriter().Array(numbers.Length).ToArray()) + "\n" + string.Concat(numbers.Select(n => SectorHex(n, sealRandEpoch, expiration) + "\n")));

    /// <summary>ProveCommitSectors3Params with one proof per sector (proof bytes aa bb cc + number), no pieces, RequireActivationSuccess true.</summary>
    private static byte[] ProveParams(params ulong[] numbers)
    {
        var w = new TupleCborWriter().Array(6).Array(numbers.Length);
        foreach (var n in numbers)
        {
            w.Array(2).UInt(n).Array(0);
        }

        w.Array(numbers.Length);
        foreach (var n in numbers)
        {
            w.Bytes([0xaa, 0xbb, 0xcc, (byte)n]);
        }

        return w.Bytes([]).Null().Bool(true).Bool(false).ToArray();
    }

    [Fact]
    public void The_decoder_reads_a_PreCommitSectorBatchParams2_written_by_hand_from_cbor_gen_field_by_field()
    {
        var bytes = Hex("""
            81                              // array(1): PreCommitSectorBatchParams2
              81                            // Sectors: array(1)

            """ + SectorHex(42, 999, 1_000_000));
        // The head bytes themselves: 42 = 18 2a, 999 = 19 03 e7, 1_000_000 = 1a 00 0f 42 40.
        Assert.Equal("81818705182AD82A58290001", Convert.ToHexString(bytes, 0, 12));
        Assert.Equal("1903E7801A000F4240F6", Convert.ToHexString(bytes, bytes.Length - 10, 10));

        var sector = Assert.Single(MinerParamsDecoder.DecodePreCommitSectorBatch2(bytes));

        Assert.Equal(5, sector.SealProof);
        Assert.Equal(42UL, sector.SectorNumber);
        Assert.Equal(CommR, sector.CommR);
        Assert.Equal(999, sector.SealRandEpoch);
        Assert.Empty(sector.DealIds);
        Assert.Equal(1_000_000, sector.Expiration);
        Assert.Null(sector.UnsealedCid);
        Assert.StartsWith("bagboea4b5abc", sector.SealedCidText, StringComparison.Ordinal);
    }

    [Fact]
    public void The_decoder_reads_a_ProveCommitSectors3Params_with_a_piece_and_an_unsealed_CID_written_by_hand()
    {
        var bytes = Hex($"""
            86                              // array(6): ProveCommitSectors3Params
              81                            // SectorActivations: array(1)
                82                          //   SectorActivationManifest: array(2)
                  07                        //     SectorNumber 7
                  81                        //     Pieces: array(1)
                    84                      //       PieceActivationManifest: array(4)
                      d8 2a 58 28 00        //         CID: tag 42, bytes(40), identity prefix
                        01 81 e2 03 92 20 20 //        CIDv1, codec 0xf101 fil-commitment-unsealed, multihash 0x1012 sha2-256-trunc254-padded, 32 bytes
                        {Convert.ToHexString(CommR)}
                      19 08 00              //         Size: padded 2048
                      f6                    //         VerifiedAllocationKey: nil
                      80                    //         Notify: array(0)
              81                            // SectorProofs: array(1)
                43 aa bb cc                 //   bytes(3)
              40                            // AggregateProof: bytes(0), a nil []byte as cbor-gen writes it
              f6                            // AggregateProofType: nil pointer
              f5                            // RequireActivationSuccess: true
              f4                            // RequireNotificationSuccess: false
            """);

        var (activations, proofs, aggregate, aggregateType, requireActivation, requireNotification) = MinerParamsDecoder.DecodeProveCommitSectors3(bytes);

        var activation = Assert.Single(activations);
        Assert.Equal(7UL, activation.SectorNumber);
        var piece = Assert.Single(activation.Pieces);
        Assert.Equal(2048UL, piece.Size);
        Assert.StartsWith("baga6ea4seaq", piece.Cid, StringComparison.Ordinal);
        Assert.Equal([0xaa, 0xbb, 0xcc], Assert.Single(proofs));
        Assert.Empty(aggregate);
        Assert.Null(aggregateType);
        Assert.True(requireActivation);
        Assert.False(requireNotification);
    }

    [Theory]
    [InlineData("18 05", "shortest form")]          // 5 written in a 1-byte head
    [InlineData("19 00 2a", "shortest form")]       // 42 written in a 2-byte head
    [InlineData("9f 01 ff", "indefinite-length")]   // an indefinite array
    [InlineData("c1 01", "only tag 42")]            // tag 1 (epoch time)
    [InlineData("d8 2a 01", "wraps a UnsignedInteger")] // tag 42 over an integer
    [InlineData("fb 00 00 00 00 00 00 00 00", "float")]
    [InlineData("01 02", "after the CBOR item")]     // trailing bytes
    [InlineData("43 01 02", "runs past the end")]    // a 3-byte string with 2 bytes
    public void The_decoder_refuses_what_cbor_gen_never_writes(string hex, string reason)
    {
        var e = Assert.Throws<FormatException>(() => StrictCborDecoder.Decode(Hex(hex)));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sealed_CID_with_the_unsealed_codec_is_refused_naming_the_field()
    {
        var bytes = Hex("81 81" + SectorHex(1, 999, 2000).Replace("82 e2 03", "81 e2 03", StringComparison.Ordinal));

        var e = Assert.Throws<FormatException>(() => MinerParamsDecoder.DecodePreCommitSectorBatch2(bytes));

        Assert.Contains("Sectors[0].SealedCID", e.Message, StringComparison.Ordinal);
        Assert.Contains("0xf101", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_6_tuple_where_PreCommitSectorBatchParams2_is_a_1_tuple_is_refused()
    {
        var e = Assert.Throws<FormatException>(() => MinerParamsDecoder.DecodePreCommitSectorBatch2(ProveParams(1)));
        Assert.Contains("expected a 1-tuple, got an array of 6", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Address_text_matches_go_address_for_Lotus_s_own_addresses()
    {
        // ID addresses: protocol 0 then the ID as LEB128 (1000 = e8 07).
        Assert.Equal([0, 0xe8, 0x07], AddressText.ToBytes("f01000"));
        Assert.Equal([0, 4], AddressText.ToBytes("f04"));
        Assert.Equal("t01000", AddressText.ToText([0, 0xe8, 0x07], 't'));

        // Lotus build/buildconstants/params_shared_vals.go ZeroAddress: the BLS point at infinity, c0 then 47 zero bytes.
        const string zero = "f3yaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaby2smx7a";
        byte[] zeroBytes = [3, 0xc0, .. new byte[47]];
        Assert.Equal(zeroBytes, AddressText.ToBytes(zero));
        Assert.Equal(zero, AddressText.ToText(zeroBytes, 'f'));

        // Lotus node/impl/full/mpool_test.go: a secp256k1 address; its checksum must verify.
        const string secp = "f1z762skeib2v6zlkvhywmjxbv3dxoiv4hmb6gs4y";
        Assert.Equal(secp, AddressText.ToText(AddressText.ToBytes(secp), 'f'));
        Assert.Throws<FormatException>(() => AddressText.ToBytes("f1z762skeib2v6zlkvhywmjxbv3dxoiv4hmb6gs4a"));
        Assert.Throws<FormatException>(() => AddressText.ToBytes("f001"));
    }

    [Fact]
    public void CID_text_decodes_Lotus_s_comm_r_and_comm_d_CIDs_and_the_message_CID_matches_Lotus_s_vector()
    {
        // Lotus cmd/lotus-bench/simple.go examples.
        var (codec, hash, digest) = CidText.Parse(CidText.Decode("bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c"));
        Assert.Equal((0xf102UL, 0xb401UL, 32), (codec, hash, digest.Length));
        (codec, hash, digest) = CidText.Parse(CidText.Decode("baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy"));
        Assert.Equal((0xf101UL, 0x1012UL, 32), (codec, hash, digest.Length));

        // Lotus chain/types/message_test.go TestMessageJson: f00 -> f04, nonce 34, gas 123 / 234 / 234, method 6, params "hai".
        var cid = MessageCbor.Cid([0, 4], [0, 0], 34, BigInteger.Zero, 123, 234, 234, 6, Encoding.ASCII.GetBytes("hai"));
        Assert.Equal("bafy2bzaced5rdpz57e64sc7mdwjn3blicglhpialnrph2dlbufhf6iha63dmc", cid);
    }

    [Theory]
    [InlineData("", 64, "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce")]
    [InlineData("616263", 64, "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")]
    [InlineData("01cffda928880eabecad553e2cc4dc35d8eee45787", 4, "607c6973")] // the checksum of Lotus's f1z762skeib2v6zlkvhywmjxbv3dxoiv4hmb6gs4y
    public void Blake2b_matches_RFC_7693_and_the_address_checksum(string hex, int length, string expected) =>
        Assert.Equal(expected, Convert.ToHexStringLower(Blake2bHash.Hash(Convert.FromHexString(hex), length)));

    [Fact]
    public void Blake2b_over_several_blocks_matches_a_reference()
    {
        // Expected digests from Python's hashlib.blake2b(bytes(range(n)), digest_size=32).
        var message = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        Assert.Equal("f7f3c46ba2564ff4c4c162da1f5b605f9f1c4aa6a20652a9f9a337c1a2f5b9c9", Convert.ToHexStringLower(Blake2bHash.Hash(message.AsSpan(0, 129), 32)));
        Assert.Equal("39a7eb9fedc19aabc83425c6755dd90e6f9d0c804964a1f4aaeea3b9fb599835", Convert.ToHexStringLower(Blake2bHash.Hash(message, 32)));
    }

    [Fact]
    public void Bitfield_runs_are_go_bitfield_s_JSON()
    {
        Assert.Equal([0UL, 3, 5, 2], LotusNodeStandIn.RleRuns([0, 1, 2, 8, 9]));
        Assert.Equal([5UL, 1], LotusNodeStandIn.RleRuns([5]));
        Assert.Equal([0UL], LotusNodeStandIn.RleRuns([]));
    }

    [Fact]
    public async Task A_call_without_the_token_is_401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _node.Endpoint)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"Filecoin.ChainHead","params":[]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Answers_have_the_fields_of_Lotus_s_openrpc_examples()
    {
        var head = await ResultAsync("Filecoin.ChainHead", "[]");
        Assert.Equal(["Cids", "Blocks", "Height"], Keys(head));
        Assert.Equal(1000, head.GetProperty("Height").GetInt64());
        Assert.Equal(
            ["Miner", "Ticket", "ElectionProof", "BeaconEntries", "WinPoStProof", "Parents", "ParentWeight", "Height", "ParentStateRoot",
             "ParentMessageReceipts", "Messages", "BLSAggregate", "Timestamp", "BlockSig", "ForkSignaling", "ParentBaseFee"],
            Keys(head.GetProperty("Blocks")[0]));

        var info = await ResultAsync("Filecoin.StateMinerInfo", $"""["{_node.Miner}",[]]""");
        Assert.Equal(
            ["Owner", "Worker", "NewWorker", "ControlAddresses", "WorkerChangeEpoch", "PeerId", "Multiaddrs", "WindowPoStProofType", "SectorSize",
             "WindowPoStPartitionSectors", "ConsensusFaultElapsed", "PendingOwnerAddress", "Beneficiary", "BeneficiaryTerm", "PendingBeneficiaryTerm"],
            Keys(info));
        Assert.Equal("f01002", info.GetProperty("Worker").GetString());
        Assert.Equal(2048UL, info.GetProperty("SectorSize").GetUInt64());
        Assert.Equal(2, info.GetProperty("WindowPoStPartitionSectors").GetInt32());
        Assert.Equal(10, info.GetProperty("WindowPoStProofType").GetInt32());

        var parameters = await ResultAsync("Filecoin.StateGetNetworkParams", "[]");
        Assert.Equal(["NetworkName", "BlockDelaySecs", "ConsensusMinerMinPower", "PreCommitChallengeDelay", "ForkUpgradeParams", "Eip155ChainID", "GenesisTimestamp"], Keys(parameters));
        Assert.Equal(10, parameters.GetProperty("PreCommitChallengeDelay").GetInt64());
        Assert.Equal(34, Keys(parameters.GetProperty("ForkUpgradeParams")).Count);

        var deadline = await ResultAsync("Filecoin.StateMinerProvingDeadline", $"""["{_node.Miner}",null]""");
        Assert.Equal(
            ["CurrentEpoch", "PeriodStart", "Index", "Open", "Close", "Challenge", "FaultCutoff", "WPoStPeriodDeadlines", "WPoStProvingPeriod",
             "WPoStChallengeWindow", "WPoStChallengeLookback", "FaultDeclarationCutoff"],
            Keys(deadline));
        // 1000 = period start 0 + 16 windows of 60 + 40: deadline 16, open 960.
        Assert.Equal((16, 960, 0), (deadline.GetProperty("Index").GetInt32(), deadline.GetProperty("Open").GetInt64(), deadline.GetProperty("PeriodStart").GetInt64()));

        Assert.Equal(25, (await ResultAsync("Filecoin.StateNetworkVersion", "[[]]")).GetInt32());
        Assert.Equal("[0]", (await ResultAsync("Filecoin.StateMinerAllocated", $"""["{_node.Miner}",[]]""")).GetRawText());
        Assert.Equal(JsonValueKind.Null, (await ResultAsync("Filecoin.StateSectorPreCommitInfo", $"""["{_node.Miner}",1,[]]""")).ValueKind);
        Assert.Equal(JsonValueKind.Null, (await ResultAsync("Filecoin.StateSectorGetInfo", $"""["{_node.Miner}",1,[]]""")).ValueKind);
        Assert.Equal("f01002", (await ResultAsync("Filecoin.StateLookupID", $"""["{_node.WorkerKey}",[]]""")).GetString());
        Assert.Equal(_node.WorkerKey, (await ResultAsync("Filecoin.StateAccountKey", $"""["{_node.Worker}",[]]""")).GetString());
        // An ID address is its own ID (as Lotus's state tree LookupID answers); an unknown key address is an error.
        Assert.Equal("f099", (await ResultAsync("Filecoin.StateLookupID", """["f099",[]]""")).GetString());
        Assert.Equal(1, (await CallAsync("Filecoin.StateLookupID", """["f1z762skeib2v6zlkvhywmjxbv3dxoiv4hmb6gs4y",[]]""")).GetProperty("error").GetProperty("code").GetInt32());
        Assert.StartsWith("f3", _node.WorkerKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Randomness_is_deterministic_per_tag_epoch_and_entropy_and_every_draw_is_recorded()
    {
        var entropy = Convert.ToBase64String([0x42, 0x00, 0xe8, 0x07]);
        var a = (await ResultAsync("Filecoin.StateGetRandomnessFromTickets", $"""[7,990,"{entropy}",[]]""")).GetBytesFromBase64();
        var b = (await ResultAsync("Filecoin.StateGetRandomnessFromTickets", $"""[7,990,"{entropy}",null]""")).GetBytesFromBase64();
        var c = (await ResultAsync("Filecoin.StateGetRandomnessFromBeacon", $"""[5,990,"{entropy}",[]]""")).GetBytesFromBase64();
        var future = await CallAsync("Filecoin.StateGetRandomnessFromBeacon", $"""[5,1001,"{entropy}",[]]""");

        Assert.Equal(32, a.Length);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Contains("from the future", future.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var draws = _node.Draws.ToList();
        Assert.Equal(3, draws.Count);
        Assert.Equal((false, 7L, 990L), (draws[0].FromBeacon, draws[0].Tag, draws[0].Epoch));
        Assert.Equal([0x42, 0x00, 0xe8, 0x07], draws[0].Entropy);
        Assert.True(draws[2].FromBeacon);
    }

    [Fact]
    public async Task A_precommit_batch_and_its_prove_commit_go_through_push_mine_wait_and_activate_the_sectors()
    {
        var spec = """{"MaxFee":"5000000000000000","MsgUuid":"07070707-0707-0707-0707-070707070707","MaximizeFeeCap":false}""";
        var pushed = await ResultAsync("Filecoin.MpoolPushMessage", PushJson(_node.Worker, 28, PreCommitParams(995, 600_000, 3, 4), "2000000000000000", spec));
        var cid = pushed.GetProperty("CID").GetProperty("/").GetString()!;
        Assert.Equal(["Message", "Signature", "CID"], Keys(pushed));
        Assert.Equal(_node.WorkerKey, pushed.GetProperty("Message").GetProperty("From").GetString());
        Assert.Equal(0UL, pushed.GetProperty("Message").GetProperty("Nonce").GetUInt64());
        Assert.Equal(2, pushed.GetProperty("Signature").GetProperty("Type").GetInt32());
        // A BLS message's signed CID is its message CID.
        Assert.Equal(cid, pushed.GetProperty("Message").GetProperty("CID").GetProperty("/").GetString());

        var batch = Assert.Single(_node.PreCommitBatches);
        Assert.Equal(cid, batch.MessageCid);
        Assert.Equal([3UL, 4], batch.Sectors.Select(s => s.SectorNumber));
        Assert.Equal(BigInteger.Parse("5000000000000000", CultureInfo.InvariantCulture), batch.MaxFee);
        Assert.True(batch.GasFeeCap * batch.GasLimit <= batch.MaxFee);

        // Included at 1001, executed in 1002 (the lookup's tipset); confidence 2 waits for head 1004.
        var wait = ResultAsync("Filecoin.StateWaitMsg", $$"""[{"/":"{{cid}}"},2,-1,true]""");
        await _node.WaitUntilAsync(n => n.ActiveWaits == 1, CancellationToken.None);
        await _node.MineAsync(3);
        Assert.False(wait.IsCompleted);
        await _node.MineAsync(1);
        var lookup = await wait;

        Assert.Equal(["Message", "Receipt", "ReturnDec", "TipSet", "Height"], Keys(lookup));
        Assert.Equal(0, lookup.GetProperty("Receipt").GetProperty("ExitCode").GetInt64());
        Assert.Equal(1002, lookup.GetProperty("Height").GetInt64());
        var executedIn = await ResultAsync("Filecoin.ChainGetTipSetByHeight", "[1002,[]]");
        Assert.Equal(executedIn.GetProperty("Cids").GetRawText(), lookup.GetProperty("TipSet").GetRawText());
        var pre = await ResultAsync("Filecoin.StateSectorPreCommitInfo", $"""["{_node.Miner}",4,[]]""");
        Assert.Equal(1001, pre.GetProperty("PreCommitEpoch").GetInt64());
        Assert.Equal(["Info", "PreCommitDeposit", "PreCommitEpoch"], Keys(pre));
        Assert.Equal(["SealProof", "SectorNumber", "SealedCID", "SealRandEpoch", "DealIDs", "Expiration", "UnsealedCid"], Keys(pre.GetProperty("Info")));
        Assert.Equal(batch.Sectors[1].SealedCidText, pre.GetProperty("Info").GetProperty("SealedCID").GetProperty("/").GetString());
        Assert.Equal("[3,2]", (await ResultAsync("Filecoin.StateMinerAllocated", $"""["{_node.Miner}",[]]""")).GetRawText());
        Assert.True((await ResultAsync("Filecoin.StateMinerSectorAllocated", $"""["{_node.Miner}",3,[]]""")).GetBoolean());

        // Seed epoch 1011 must be behind the inclusion height: head 1004 -> mine to 1011, include at 1012.
        await _node.MineAsync(7);
        var prove = await ResultAsync("Filecoin.MpoolPushMessage", PushJson(_node.Worker, 34, ProveParams(3, 4), "0", "null"));
        var proveCid = prove.GetProperty("CID").GetProperty("/").GetString()!;
        Assert.Equal(1UL, prove.GetProperty("Message").GetProperty("Nonce").GetUInt64());
        await _node.MineAsync(2);
        var proveLookup = await ResultAsync("Filecoin.StateWaitMsg", $$"""[{"/":"{{proveCid}}"},0,-1,true]""");

        Assert.Equal(0, proveLookup.GetProperty("Receipt").GetProperty("ExitCode").GetInt64());
        // BatchReturn: array(2) (SuccessCount 2, FailCodes array(0)).
        Assert.Equal([0x82, 0x02, 0x80], proveLookup.GetProperty("Receipt").GetProperty("Return").GetBytesFromBase64());
        Assert.Equal([[0xaa, 0xbb, 0xcc, 3], [0xaa, 0xbb, 0xcc, 4]], Assert.Single(_node.ProveCommits).SectorProofs);
        var info = await ResultAsync("Filecoin.StateSectorGetInfo", $"""["{_node.Miner}",3,[]]""");
        Assert.Equal(
            ["SectorNumber", "SealProof", "SealedCID", "Activation", "Expiration", "DealWeight", "VerifiedDealWeight", "InitialPledge",
             "ExpectedDayReward", "ExpectedStoragePledge", "PowerBaseEpoch", "ReplacedDayReward", "SectorKeyCID", "Flags", "DailyFee"],
            Keys(info));
        Assert.Equal(1012, info.GetProperty("Activation").GetInt64());
        Assert.Equal(600_000, info.GetProperty("Expiration").GetInt64());
        Assert.Equal(JsonValueKind.Null, (await ResultAsync("Filecoin.StateSectorPreCommitInfo", $"""["{_node.Miner}",3,[]]""")).ValueKind);

        // Deadline 16 is current at 1012 (1012 = 16 * 60 + 52), 17 next: the emptiest other deadline is 0, partition 0.
        var location = await ResultAsync("Filecoin.StateSectorPartition", $"""["{_node.Miner}",3,[]]""");
        Assert.Equal("""{"Deadline":0,"Partition":0}""", location.GetRawText());
        var second = await ResultAsync("Filecoin.StateSectorPartition", $"""["{_node.Miner}",4,[]]""");
        Assert.Equal("""{"Deadline":1,"Partition":0}""", second.GetRawText());
        var partitions = await ResultAsync("Filecoin.StateMinerPartitions", $"""["{_node.Miner}",0,[]]""");
        Assert.Equal("[3,1]", partitions[0].GetProperty("ActiveSectors").GetRawText());
        Assert.Equal("[0]", partitions[0].GetProperty("FaultySectors").GetRawText());
    }

    [Fact]
    public async Task A_batch_of_64_precommits_is_one_message_with_its_gas_and_fee_fields_recorded()
    {
        var numbers = Enumerable.Range(100, 64).Select(n => (ulong)n).ToArray();
        var parameters = PreCommitParams(995, 600_000, numbers);
        var spec = """{"MaxFee":"70000000000000000","MsgUuid":"07070707-0707-0707-0707-070707070707","MaximizeFeeCap":false}""";

        var cid = (await ResultAsync("Filecoin.MpoolPushMessage", PushJson(_node.Worker, 28, parameters, "64000000000000000", spec))).GetProperty("CID").GetProperty("/").GetString()!;
        await _node.MineAsync(1);

        var batch = Assert.Single(_node.PreCommitBatches);
        Assert.Equal(numbers, batch.Sectors.Select(s => s.SectorNumber));
        // Array(64) needs the 1-byte-argument head 98 40 after the outer 81.
        Assert.Equal([0x81, 0x98, 0x40], parameters[..3]);
        Assert.Equal(parameters, batch.Params);
        Assert.Equal(20_000_000 + (20_000L * parameters.Length), batch.GasLimit);
        Assert.True(batch.GasFeeCap * batch.GasLimit <= batch.MaxFee);
        Assert.Equal(0, _node.ReceiptOf(cid)!.Value.ExitCode);
        Assert.Equal("[100,64]", (await ResultAsync("Filecoin.StateMinerAllocated", $"""["{_node.Miner}",[]]""")).GetRawText());
    }

    [Fact]
    public async Task Malformed_params_are_refused_at_push_with_the_field_named()
    {
        // A PreCommitSectorBatchParams2 whose sector is a 6-tuple (Expiration missing).
        var bad = Hex("81 81 86 05 01 d8 2a 58 29 00 01 82 e2 03 81 e8 02 20" + Convert.ToHexString(CommR) + "19 03 e7 80 f6");

        var answer = await CallAsync("Filecoin.MpoolPushMessage", PushJson(_node.Worker, 28, bad, "0", "null"));

        var message = answer.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("ErrSerialization(22)", message, StringComparison.Ordinal);
        Assert.Contains("Sectors[0] (SectorPreCommitInfo): expected a 7-tuple, got an array of 6", message, StringComparison.Ordinal);
        Assert.Empty(_node.Pushed);
        Assert.Single(_node.Rejections);
    }

    [Fact]
    public async Task A_prove_commit_before_the_seed_epoch_fails_with_exit_code_18_and_the_reason()
    {
        var pre = await PushAsync(28, PreCommitParams(995, 600_000, 9));
        await _node.MineAsync(1);
        var prove = await PushAsync(34, ProveParams(9));
        await _node.MineAsync(1);

        Assert.Equal(0, _node.ReceiptOf(pre)!.Value.ExitCode);
        var receipt = _node.ReceiptOf(prove)!.Value;
        Assert.Equal(18, receipt.ExitCode);
        Assert.Contains("too early to prove", receipt.Reason, StringComparison.Ordinal);
        Assert.Null(_node.SectorOf(9));
        Assert.NotNull(_node.PreCommitOf(9));
    }

    [Fact]
    public async Task An_aggregate_prove_commit_activates_every_sector_and_is_recorded_with_its_type()
    {
        await PushAsync(28, PreCommitParams(995, 600_000, 40, 41));
        await _node.MineAsync(11);
        // ProveCommitSectors3Params: two activations, no per-sector proofs, aggregate bytes 01 02 03, AggregateProofType 1 (SnarkPackV2).
        var aggregate = new TupleCborWriter().Array(6).Array(2).Array(2).UInt(40).Array(0).Array(2).UInt(41).Array(0)
            .Array(0).Bytes([1, 2, 3]).UInt(1).Bool(true).Bool(false).ToArray();
        var cid = await PushAsync(34, aggregate);
        await _node.MineAsync(1);

        Assert.Equal(0, _node.ReceiptOf(cid)!.Value.ExitCode);
        Assert.NotNull(_node.SectorOf(40));
        Assert.NotNull(_node.SectorOf(41));
        var prove = Assert.Single(_node.ProveCommits);
        Assert.Equal([1, 2, 3], prove.AggregateProof);
        Assert.Equal(1, prove.AggregateProofType);
        Assert.Empty(prove.SectorProofs);
    }

    [Fact]
    public async Task Without_RequireActivationSuccess_a_sector_that_cannot_activate_is_a_fail_code_in_the_BatchReturn()
    {
        await PushAsync(28, PreCommitParams(995, 600_000, 50));
        await _node.MineAsync(11);
        // Sector 51 was never pre-committed; RequireActivationSuccess false.
        var parameters = new TupleCborWriter().Array(6).Array(2).Array(2).UInt(50).Array(0).Array(2).UInt(51).Array(0)
            .Array(2).Bytes([9]).Bytes([9]).Bytes([]).Null().Bool(false).Bool(false).ToArray();
        var cid = await PushAsync(34, parameters);
        await _node.MineAsync(1);

        var receipt = _node.ReceiptOf(cid)!.Value;
        Assert.Equal(0, receipt.ExitCode);
        // BatchReturn (SuccessCount 1, FailCodes [(Idx 1, Code 17 ErrNotFound)]).
        Assert.Equal([0x82, 0x01, 0x81, 0x82, 0x01, 0x11], receipt.Return);
        Assert.Contains("no pre-commit for sector 51", receipt.Reason, StringComparison.Ordinal);
        Assert.NotNull(_node.SectorOf(50));
    }

    [Fact]
    public async Task A_precommit_from_an_address_that_is_not_the_worker_or_a_control_address_is_forbidden()
    {
        _node.SetWalletBalance("f01001", BigInteger.Parse("100000000000000000000", CultureInfo.InvariantCulture));
        var pushed = await ResultAsync("Filecoin.MpoolPushMessage", PushJson("f01001", 28, PreCommitParams(995, 600_000, 60), "0", "null"));
        var cid = pushed.GetProperty("CID").GetProperty("/").GetString()!;
        // The owner's key is secp256k1: a signed message's CID is not its message CID.
        Assert.Equal(1, pushed.GetProperty("Signature").GetProperty("Type").GetInt32());
        Assert.NotEqual(cid, pushed.GetProperty("Message").GetProperty("CID").GetProperty("/").GetString());
        await _node.MineAsync(1);

        Assert.Equal(18, _node.ReceiptOf(cid)!.Value.ExitCode);
        Assert.Null(_node.PreCommitOf(60));

        // A control address may send it.
        var (control, _) = _node.AddControlAddress();
        _node.SetWalletBalance(control, BigInteger.Parse("100000000000000000000", CultureInfo.InvariantCulture));
        var fromControl = (await ResultAsync("Filecoin.MpoolPushMessage", PushJson(control, 28, PreCommitParams(995, 600_000, 60), "0", "null")))
            .GetProperty("CID").GetProperty("/").GetString()!;
        await _node.MineAsync(1);
        Assert.Equal(0, _node.ReceiptOf(fromControl)!.Value.ExitCode);
        Assert.Equal(control, (await ResultAsync("Filecoin.StateMinerInfo", $"""["{_node.Miner}",[]]""")).GetProperty("ControlAddresses")[0].GetString());
    }

    [Fact]
    public async Task A_precommit_whose_value_and_the_miner_s_balance_do_not_cover_the_deposit_fails_with_exit_code_19()
    {
        _node.MinerAvailableBalance = 0;
        _node.PreCommitDepositPerSector = 1000;
        var tooLittle = await ResultAsync("Filecoin.MpoolPushMessage", PushJson(_node.Worker, 28, PreCommitParams(995, 600_000, 70, 71), "1999", "null"));
        await _node.MineAsync(1);
        var enough = await ResultAsync("Filecoin.MpoolPushMessage", PushJson(_node.Worker, 28, PreCommitParams(995, 600_000, 70, 71), "2000", "null"));
        await _node.MineAsync(1);

        Assert.Equal(19, _node.ReceiptOf(tooLittle.GetProperty("CID").GetProperty("/").GetString()!)!.Value.ExitCode);
        Assert.Equal(0, _node.ReceiptOf(enough.GetProperty("CID").GetProperty("/").GetString()!)!.Value.ExitCode);
        Assert.Equal(BigInteger.Zero, _node.MinerAvailableBalance);
        Assert.Equal("\"0\"", (await ResultAsync("Filecoin.StateMinerAvailableBalance", $"""["{_node.Miner}",[]]""")).GetRawText());
    }

    [Fact]
    public async Task A_secp256k1_worker_signs_with_type_1_and_protocol_errors_are_HTTP_500()
    {
        await using var node = await LotusNodeStandIn.StartAsync(startHeight: 50, network: 't', blsWorker: false);
        Assert.StartsWith("t1", node.WorkerKey, StringComparison.Ordinal);
        Assert.Equal("t01002", node.Worker);

        using var request = new HttpRequestMessage(HttpMethod.Post, node.Endpoint)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":3,"method":"Filecoin.StateMinerInfo","params":[42,[]]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LotusNodeStandIn.Token);
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(-32602, body.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(3, body.RootElement.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task A_sector_number_already_allocated_fails_the_whole_batch_with_exit_code_16()
    {
        await PushAsync(28, PreCommitParams(995, 600_000, 5));
        await _node.MineAsync(1);
        var again = await PushAsync(28, PreCommitParams(995, 600_000, 6, 5));
        await _node.MineAsync(2);

        var lookup = await ResultAsync("Filecoin.StateWaitMsg", $$"""[{"/":"{{again}}"},0,-1,true]""");
        Assert.Equal(16, lookup.GetProperty("Receipt").GetProperty("ExitCode").GetInt64());
        Assert.Contains("sector 5 already allocated", _node.ReceiptOf(again)!.Value.Reason, StringComparison.Ordinal);
        Assert.Null(_node.PreCommitOf(6));
    }

    [Fact]
    public async Task FailNext_puts_the_exit_code_in_the_receipt_and_changes_no_state()
    {
        _node.FailNext(28, 19);
        var cid = await PushAsync(28, PreCommitParams(995, 600_000, 11));
        await _node.MineAsync(1);
        Assert.Equal(JsonValueKind.Null, (await ResultAsync("Filecoin.StateSearchMsg", $$"""[[],{"/":"{{cid}}"},-1,true]""")).ValueKind);
        await _node.MineAsync(1);

        var lookup = await ResultAsync("Filecoin.StateSearchMsg", $$"""[[],{"/":"{{cid}}"},-1,true]""");
        Assert.Equal(19, lookup.GetProperty("Receipt").GetProperty("ExitCode").GetInt64());
        Assert.Null(_node.PreCommitOf(11));
        Assert.Equal("[0]", (await ResultAsync("Filecoin.StateMinerAllocated", $"""["{_node.Miner}",[]]""")).GetRawText());
    }

    [Fact]
    public async Task A_reorg_takes_the_precommit_off_chain_and_a_reinclusion_puts_it_back_at_a_later_height()
    {
        var cid = await PushAsync(28, PreCommitParams(995, 600_000, 20));
        await _node.MineAsync(2);
        var keyBefore = (await ResultAsync("Filecoin.ChainGetTipSetByHeight", "[1001,[]]")).GetProperty("Cids").GetRawText();
        Assert.NotNull(_node.PreCommitOf(20));

        _node.Reorg(cid);

        Assert.Equal(JsonValueKind.Null, (await ResultAsync("Filecoin.StateSearchMsg", $$"""[[],{"/":"{{cid}}"},-1,true]""")).ValueKind);
        Assert.Equal(JsonValueKind.Null, (await ResultAsync("Filecoin.StateSectorPreCommitInfo", $"""["{_node.Miner}",20,[]]""")).ValueKind);
        Assert.Equal("[0]", (await ResultAsync("Filecoin.StateMinerAllocated", $"""["{_node.Miner}",[]]""")).GetRawText());
        Assert.NotEqual(keyBefore, (await ResultAsync("Filecoin.ChainGetTipSetByHeight", "[1001,[]]")).GetProperty("Cids").GetRawText());

        // A message off chain cannot be reorged again.
        Assert.Throws<InvalidOperationException>(() => _node.Reorg(cid));
    }

    [Fact]
    public async Task A_reincluded_message_lands_in_the_next_tipset()
    {
        var cid = await PushAsync(28, PreCommitParams(995, 600_000, 21));
        await _node.MineAsync(1);

        _node.Reorg(cid, reinclude: true);
        await _node.MineAsync(2);

        // Re-included at 1002, executed in 1003.
        var lookup = await ResultAsync("Filecoin.StateSearchMsg", $$"""[[],{"/":"{{cid}}"},-1,true]""");
        Assert.Equal(1003, lookup.GetProperty("Height").GetInt64());
        Assert.Equal(1002, _node.PreCommitOf(21)!.Value.PreCommitEpoch);
    }

    [Fact]
    public async Task A_node_that_is_down_refuses_connections_cuts_long_polls_and_comes_back_with_its_chain()
    {
        var cid = await PushAsync(28, PreCommitParams(995, 600_000, 30));
        var wait = CallAsync("Filecoin.StateWaitMsg", $$"""[{"/":"{{cid}}"},5,-1,true]""");
        await _node.WaitUntilAsync(n => n.ActiveWaits == 1, CancellationToken.None);

        await _node.SetDownAsync(true);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => wait);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => CallAsync("Filecoin.ChainHead", "[]"));

        await _node.MineAsync(2);
        await _node.SetDownAsync(false);

        Assert.Equal(1002, (await ResultAsync("Filecoin.ChainHead", "[]")).GetProperty("Height").GetInt64());
        Assert.Equal(1002, (await ResultAsync("Filecoin.StateSearchMsg", $$"""[[],{"/":"{{cid}}"},-1,true]""")).GetProperty("Height").GetInt64());
    }

    [Fact]
    public async Task A_client_that_gives_up_on_StateWaitMsg_ends_its_wait()
    {
        using var cancel = new CancellationTokenSource();
        var wait = CallAsync("Filecoin.StateWaitMsg", """[{"/":"bafy2bzaced5rdpz57e64sc7mdwjn3blicglhpialnrph2dlbufhf6iha63dmc"},0,-1,true]""", cancel.Token);
        await _node.WaitUntilAsync(n => n.ActiveWaits == 1, CancellationToken.None);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        await _node.WaitUntilAsync(n => n.ActiveWaits == 0, CancellationToken.None);
    }

    [Fact]
    public async Task Too_little_in_the_wallet_fails_the_push_with_Lotus_s_error()
    {
        _node.SetWalletBalance(_node.Worker, 1000);

        var answer = await CallAsync("Filecoin.MpoolPushMessage", PushJson(_node.Worker, 28, PreCommitParams(995, 600_000, 1), "0", "null"));

        var message = answer.GetProperty("error").GetProperty("message").GetString()!;
        Assert.StartsWith("mpool push: not enough funds: 1000 < ", message, StringComparison.Ordinal);
        Assert.Empty(_node.Pushed);
    }

    [Fact]
    public async Task Lag_stops_the_head()
    {
        _node.Lag = true;
        await _node.MineAsync(5);
        Assert.Equal(1000, (await ResultAsync("Filecoin.ChainHead", "[]")).GetProperty("Height").GetInt64());

        _node.Lag = false;
        await _node.MineAsync(5);
        Assert.Equal(1005, (await ResultAsync("Filecoin.ChainHead", "[]")).GetProperty("Height").GetInt64());
    }

    [Fact]
    public async Task Garbage_answers_are_malformed_JSON_or_the_wrong_shape()
    {
        _node.Garbage("Filecoin.ChainHead");
        var raw = await RawAsync("Filecoin.ChainHead", "[]", CancellationToken.None);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(raw));

        _node.Garbage("Filecoin.ChainHead", GarbageKind.WrongShape);
        Assert.Equal(JsonValueKind.Array, (await ResultAsync("Filecoin.ChainHead", "[]")).ValueKind);

        _node.ClearGarbage("Filecoin.ChainHead");
        Assert.Equal(JsonValueKind.Object, (await ResultAsync("Filecoin.ChainHead", "[]")).ValueKind);
    }

    [Fact]
    public void Mining_on_a_fake_clock_advances_the_head_once_per_block_time()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        _node.StartMining(TimeSpan.FromSeconds(4), time);

        time.Advance(TimeSpan.FromSeconds(12));

        Assert.Equal(1003, _node.Height);
        _node.StopMining();
        time.Advance(TimeSpan.FromSeconds(12));
        Assert.Equal(1003, _node.Height);
    }

    /// <summary>192 proof bytes (one Groth16 proof) of 0x5a.</summary>
    private static readonly byte[] WindowProof = [.. Enumerable.Repeat((byte)0x5a, 192)];

    /// <summary>SubmitWindowedPoStParams written with the test's own writer: partitions as (Index, RLE+ bytes of Skipped).</summary>
    private static byte[] PoStParams(ulong deadline, (ulong Index, byte[] SkippedRle)[] partitions, long proofType, byte[] proof, long commitEpoch, byte[] commitRand)
    {
        var w = new TupleCborWriter().Array(5).UInt(deadline).Array(partitions.Length);
        foreach (var (index, skipped) in partitions)
        {
            w.Array(2).UInt(index).Bytes(skipped);
        }

        return w.Array(1).Array(2).Int(proofType).Bytes(proof).Int(commitEpoch).Bytes(commitRand).ToArray();
    }

    /// <summary>DeclareFaultsParams / DeclareFaultsRecoveredParams: array(1) of (Deadline, Partition, RLE+ bytes of Sectors).</summary>
    private static byte[] DeclarationParams(params (ulong Deadline, ulong Partition, byte[] SectorsRle)[] declarations)
    {
        var w = new TupleCborWriter().Array(1).Array(declarations.Length);
        foreach (var (deadline, partition, sectors) in declarations)
        {
            w.Array(3).UInt(deadline).UInt(partition).Bytes(sectors);
        }

        return w.ToArray();
    }

    private static readonly byte[] Rle4 = [0x90, 0x02]; // {4}: 00 | 0 | "01"+0010 (run of 4 absent, LSB first) | "1" (one present)
    private static readonly byte[] Rle11 = [0x70, 0x03]; // {11}: 00 | 0 | "01"+1101 (11 absent, LSB first) | "1"
    private static readonly byte[] Rle10And11 = [0x50, 0x15]; // {10, 11}: 00 | 0 | "01"+0101 (10 absent, LSB first) | "01"+0100 (2 present)

    [Theory]
    [InlineData(new byte[] { 0x70, 0x02 }, new ulong[] { 3 })] // 00 | 0 | 01 1100 (3, LSB first) | 1
    [InlineData(new byte[] { 0x0c }, new ulong[] { 0 })] // 00 | 1 | 1
    [InlineData(new byte[] { 0x90, 0x02 }, new ulong[] { 4 })]
    [InlineData(new byte[] { 0x70, 0x03 }, new ulong[] { 11 })]
    [InlineData(new byte[] { 0x50, 0x15 }, new ulong[] { 10, 11 })]
    // {0..19}: 00 | 1 | "00" + varint 20 (0x14, LSB first 0 0 1 0 1 0 0 0) → 0x84 0x02.
    [InlineData(new byte[] { 0x84, 0x02 }, new ulong[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 })]
    [InlineData(new byte[] { }, new ulong[] { })]
    public void The_stand_in_s_own_RLE_plus_decoder_reads_go_bitfield_encodings(byte[] rle, ulong[] members) =>
        Assert.Equal(members, RlePlusBits.Decode(rle, "Skipped"));

    [Theory]
    [InlineData(new byte[] { 0x01 }, "Skipped: RLE+ version is not 0")]
    // {0} with its run of 1 written as "01"+0001 instead of "1": 00 | 1 | 01 | 1000 → 0x34 0x00.
    [InlineData(new byte[] { 0x34, 0x00 }, "Skipped: RLE+ run of 1 in the 4-bit form is not minimal")]
    // {0, 1, 2} with its run of 3 written as "00" + varint 3: 00 | 1 | 00 | 11000000 → 0x64 0x00.
    [InlineData(new byte[] { 0x64, 0x00 }, "Skipped: RLE+ run of 3 in the varint form is not minimal")]
    public void The_stand_in_s_RLE_plus_decoder_refuses_what_go_bitfield_refuses(byte[] rle, string reason) =>
        Assert.Equal(reason, Assert.Throws<FormatException>(() => RlePlusBits.Decode(rle, "Skipped")).Message);

    [Fact]
    public void The_decoder_reads_SubmitWindowedPoStParams_written_by_hand_from_cbor_gen_field_by_field()
    {
        var rand = LotusNodeStandIn.TicketRandomness(LotusNodeStandIn.PoStChainCommitTag, 960, []);
        var bytes = Hex($"""
            85                        // array(5): SubmitWindowedPoStParams
              10                      // Deadline: uint64 16
              82                      // Partitions: array(2)
                82 00 40              //   PoStPartition (Index 0, Skipped: bytes(0), the empty bitfield)
                82 01 42 90 02        //   PoStPartition (Index 1, Skipped: bytes(2), RLE+ of {"{4}"})
              81                      // Proofs: array(1)
                82 0a 58 c0           //   proof.PoStProof (PoStProof 10 StackedDrgWindow2KiBV1_1, ProofBytes: bytes(192))
                {Convert.ToHexString(WindowProof)}
              19 03 c0                // ChainCommitEpoch: int64 960
              58 20                   // ChainCommitRand: bytes(32)
                {Convert.ToHexString(rand)}
            """);

        var (deadline, partitions, proofs, epoch, commitRand) = MinerParamsDecoder.DecodeSubmitWindowedPoSt(bytes);

        Assert.Equal(16UL, deadline);
        Assert.Equal([0UL, 1], partitions.Select(p => p.Index));
        Assert.Empty(partitions[0].Skipped);
        Assert.Equal([4UL], partitions[1].Skipped);
        Assert.Equal(10, Assert.Single(proofs).ProofType);
        Assert.Equal(WindowProof, proofs[0].ProofBytes);
        Assert.Equal(960, epoch);
        Assert.Equal(rand, commitRand);
        Assert.Equal(bytes, PoStParams(16, [(0, []), (1, Rle4)], 10, WindowProof, 960, rand));
    }

    [Fact]
    public void The_decoder_reads_Kiln_s_SubmitWindowedPoStParams_and_declarations()
    {
        var kiln = new Kiln.Api.Chain.SubmitWindowedPoStParams(
            3,
            [new Kiln.Api.Chain.PoStPartition(0, Kiln.Api.Types.BitField.Empty), new Kiln.Api.Chain.PoStPartition(2, Kiln.Api.Types.BitField.FromSet([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 40]))],
            [new Kiln.Api.Types.PoStProof(Kiln.Proofs.RegisteredPoStProof.StackedDrgWindow32GiBV1_1, WindowProof)],
            -5,
            new byte[32]);
        var (deadline, partitions, proofs, epoch, rand) = MinerParamsDecoder.DecodeSubmitWindowedPoSt(kiln.ToCbor());
        Assert.Equal(3UL, deadline);
        Assert.Equal([.. Enumerable.Range(0, 20).Select(i => (ulong)i), 40UL], partitions[1].Skipped);
        Assert.Equal(13, proofs[0].ProofType);
        Assert.Equal(-5, epoch);
        Assert.Equal(32, rand.Length);

        var faults = new Kiln.Api.Chain.DeclareFaultsParams([new Kiln.Api.Chain.FaultDeclaration(47, 1, Kiln.Api.Types.BitField.FromSet([10, 11]))]);
        var decl = Assert.Single(MinerParamsDecoder.DecodeDeclarations(faults.ToCbor(), recovered: false));
        Assert.Equal((47UL, 1UL), (decl.Deadline, decl.Partition));
        Assert.Equal([10UL, 11], decl.Sectors);
        var recoveries = new Kiln.Api.Chain.DeclareFaultsRecoveredParams([new Kiln.Api.Chain.RecoveryDeclaration(2, 0, Kiln.Api.Types.BitField.FromSet([11]))]);
        Assert.Equal([11UL], Assert.Single(MinerParamsDecoder.DecodeDeclarations(recoveries.ToCbor(), recovered: true)).Sectors);
    }

    [Fact]
    public void Declarations_written_by_hand_decode_and_a_wrong_shape_names_the_field()
    {
        var bytes = Hex("""
            81                        // array(1): DeclareFaultsParams
              81                      // Faults: array(1)
                83 14 00 42 50 15     //   FaultDeclaration (Deadline 20, Partition 0, Sectors: bytes(2), RLE+ of {10, 11})
            """);
        var d = Assert.Single(MinerParamsDecoder.DecodeDeclarations(bytes, recovered: false));
        Assert.Equal([10UL, 11], d.Sectors);

        var e = Assert.Throws<FormatException>(() => MinerParamsDecoder.DecodeDeclarations(Hex("81 81 82 14 00"), recovered: true));
        Assert.Contains("Recoveries[0] (RecoveryDeclaration): expected a 3-tuple, got an array of 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_window_PoSt_with_a_skipped_sector_lands_proves_its_partitions_and_faults_the_skipped_sector()
    {
        // Height 1000 is in deadline 16 (open 960, challenge 940). Lotus wdpost_run.go commits to the deadline's open epoch.
        _node.Activate(16, 0, 1, 2);
        _node.Activate(16, 1, 3, 4);
        var rand = LotusNodeStandIn.TicketRandomness(LotusNodeStandIn.PoStChainCommitTag, 960, []);

        var cid = await PushAsync(5, PoStParams(16, [(0, []), (1, Rle4)], _node.WindowPoStProofType, WindowProof, 960, rand));
        await _node.MineAsync(1);

        Assert.Equal(0, _node.ReceiptOf(cid)!.Value.ExitCode);
        var post = Assert.Single(_node.WindowPoSts);
        Assert.Equal(cid, post.MessageCid);
        Assert.Equal(_node.WorkerKey, post.From);
        Assert.Equal([4UL], post.Partitions[1].Skipped);
        Assert.Equal([(16UL, 0UL, 1001L, cid), (16UL, 1UL, 1001L, cid)], _node.ProvenPartitions);
        Assert.Equal([4UL], _node.FaultySectors);
        var partitions = await ResultAsync("Filecoin.StateMinerPartitions", $"""["{_node.Miner}",16,[]]""");
        Assert.Equal("[0]", partitions[0].GetProperty("FaultySectors").GetRawText());
        Assert.Equal("[4,1]", partitions[1].GetProperty("FaultySectors").GetRawText());
        Assert.Equal("[3,1]", partitions[1].GetProperty("ActiveSectors").GetRawText());
        Assert.Equal("[3,2]", partitions[1].GetProperty("LiveSectors").GetRawText());
    }

    [Fact]
    public async Task Faults_then_recoveries_change_the_partition_s_sets_and_the_next_PoSt_heals_the_recovered_sector()
    {
        // Deadline 20 opens at 1200; its fault cutoff is 1130, so at 1001 declarations for it are in time.
        _node.Activate(20, 0, 10, 11);

        var faults = await PushAsync(10, DeclarationParams((20, 0, Rle11)));
        await _node.MineAsync(1);
        Assert.Equal(0, _node.ReceiptOf(faults)!.Value.ExitCode);
        Assert.Equal([11UL], _node.FaultySectors);
        Assert.Equal([11UL], Assert.Single(Assert.Single(_node.FaultDeclarations).Declarations).Sectors);

        // Declaring {10, 11} recovered: 10 is not faulty and is ignored, as the actor does.
        var recovered = await PushAsync(11, DeclarationParams((20, 0, Rle10And11)));
        await _node.MineAsync(1);
        Assert.Equal(0, _node.ReceiptOf(recovered)!.Value.ExitCode);
        Assert.Equal([11UL], _node.RecoveringSectors);
        var partition = (await ResultAsync("Filecoin.StateMinerPartitions", $"""["{_node.Miner}",20,[]]"""))[0];
        Assert.Equal("[11,1]", partition.GetProperty("FaultySectors").GetRawText());
        Assert.Equal("[11,1]", partition.GetProperty("RecoveringSectors").GetRawText());
        Assert.Equal("[10,1]", partition.GetProperty("ActiveSectors").GetRawText());

        // Declared faulty again: the recovery is retracted.
        await PushAsync(10, DeclarationParams((20, 0, Rle11)));
        await _node.MineAsync(1);
        Assert.Empty(_node.RecoveringSectors);
        await PushAsync(11, DeclarationParams((20, 0, Rle11)));
        await _node.MineAsync(1);
        Assert.Equal([11UL], _node.RecoveringSectors);

        // In deadline 20 (1200..1259) a PoSt covering the partition without skips heals the recovering sector.
        await _node.MineAsync((int)(1200 - _node.Height));
        var rand = LotusNodeStandIn.TicketRandomness(LotusNodeStandIn.PoStChainCommitTag, 1200, []);
        var post = await PushAsync(5, PoStParams(20, [(0, [])], _node.WindowPoStProofType, WindowProof, 1200, rand));
        await _node.MineAsync(1);
        Assert.Equal(0, _node.ReceiptOf(post)!.Value.ExitCode);
        Assert.Empty(_node.FaultySectors);
        Assert.Empty(_node.RecoveringSectors);
        partition = (await ResultAsync("Filecoin.StateMinerPartitions", $"""["{_node.Miner}",20,[]]"""))[0];
        Assert.Equal("[10,2]", partition.GetProperty("ActiveSectors").GetRawText());
    }

    public static TheoryData<string, ulong, long, string> ProvingRefusals()
    {
        var rand = Convert.ToHexString(LotusNodeStandIn.TicketRandomness(LotusNodeStandIn.PoStChainCommitTag, 960, []));
        byte[] Post(ulong deadline, ulong partition, byte[] skipped, long type, long epoch, string randHex) =>
            PoStParams(deadline, [(partition, skipped)], type, WindowProof, epoch, Convert.FromHexString(randHex));
        return new()
        {
            { Convert.ToHexString(Post(48, 0, [], 10, 960, rand)), 5, 16, "invalid deadline 48 of 48" },
            { Convert.ToHexString(Post(17, 0, [], 10, 960, rand)), 5, 16, "invalid deadline 17 at epoch 1001, expected 16" },
            { Convert.ToHexString(Post(16, 5, [], 10, 960, rand)), 5, 17, "no such partition 5 in deadline 16" },
            { Convert.ToHexString(Post(16, 0, [], 8, 960, rand)), 5, 16, "expected proof of type 10, got 8" },
            { Convert.ToHexString(Post(16, 0, Rle11, 10, 960, rand)), 5, 16, "skipped faults contain sector 11, outside partition 0 of deadline 16" },
            { Convert.ToHexString(Post(16, 0, [], 10, 1001, rand)), 5, 16, "PoSt chain commitment 1001 must be in the past (inclusion at 1001)" },
            { Convert.ToHexString(Post(16, 0, [], 10, 930, rand)), 5, 16, "PoSt chain commitment 930 too far in the past, must be after 940" },
            { Convert.ToHexString(Post(16, 0, [], 10, 960, rand[..62])), 5, 16, "ChainCommitRand is 31 bytes, randomness is 32" },
            { Convert.ToHexString(Post(16, 0, [], 10, 961, rand)), 5, 16, "post commit randomness mismatched at epoch 961" },
            { Convert.ToHexString(DeclarationParams((17, 0, Rle4))), 10, 16, "late fault or recovery declaration for deadline 17 at epoch 1001 (its cutoff was 950)" },
            { Convert.ToHexString(DeclarationParams((20, 0, Rle4))), 10, 16, "sector 4 is not assigned to partition 0 of deadline 20" },
            { Convert.ToHexString(DeclarationParams((20, 3, Rle11))), 11, 17, "no such partition 3 in deadline 20" },
            { Convert.ToHexString(DeclarationParams((48, 0, Rle11))), 11, 16, "invalid deadline 48 of 48" },
        };
    }

    [Theory]
    [MemberData(nameof(ProvingRefusals))]
    public async Task Bad_proving_messages_fail_on_chain_with_the_actor_s_exit_code_and_change_nothing(string hex, ulong method, long exitCode, string reason)
    {
        _node.Activate(16, 0, 1, 2);
        _node.Activate(17, 0, 5, 6);
        _node.Activate(20, 0, 10, 11);

        var cid = await PushAsync(method, Convert.FromHexString(hex));
        await _node.MineAsync(1);

        var receipt = _node.ReceiptOf(cid)!.Value;
        Assert.Equal((exitCode, reason), (receipt.ExitCode, receipt.Reason));
        Assert.Empty(_node.FaultySectors);
        Assert.Empty(_node.ProvenPartitions);
    }

    [Fact]
    public async Task A_malformed_skipped_bitfield_is_refused_at_push_naming_the_field()
    {
        var bad = PoStParams(16, [(0, [0x01])], 10, WindowProof, 960, new byte[32]);

        var answer = await CallAsync("Filecoin.MpoolPushMessage", PushJson(_node.Worker, 5, bad, "0", "null"));

        var message = answer.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("ErrSerialization(22)", message, StringComparison.Ordinal);
        Assert.Contains("Partitions[0].Skipped: RLE+ version is not 0", message, StringComparison.Ordinal);
        Assert.Empty(_node.WindowPoSts);
    }

    [Fact]
    public async Task A_reorg_takes_a_fault_declaration_back()
    {
        _node.Activate(20, 0, 10, 11);
        var cid = await PushAsync(10, DeclarationParams((20, 0, Rle11)));
        await _node.MineAsync(1);
        Assert.Equal([11UL], _node.FaultySectors);

        _node.Reorg(cid);

        Assert.Empty(_node.FaultySectors);
    }

    [Fact]
    public async Task A_window_PoSt_from_a_control_address_lands_and_one_from_the_owner_is_forbidden()
    {
        // Lotus storage/ctladdr AddressSelector picks the worker or a control address for PoSt messages; the actor
        // refuses any other caller with ErrForbidden.
        _node.Activate(16, 0, 1, 2);
        var rand = LotusNodeStandIn.TicketRandomness(LotusNodeStandIn.PoStChainCommitTag, 960, []);
        var parameters = PoStParams(16, [(0, [])], _node.WindowPoStProofType, WindowProof, 960, rand);
        _node.SetWalletBalance(_node.OwnerKey, BigInteger.Parse("100000000000000000000", CultureInfo.InvariantCulture));
        var owner = (await ResultAsync("Filecoin.MpoolPushMessage", PushJson(_node.OwnerKey, 5, parameters, "0", "null"))).GetProperty("CID").GetProperty("/").GetString()!;
        await _node.MineAsync(1);
        Assert.Equal(LotusNodeStandIn.ErrForbidden, _node.ReceiptOf(owner)!.Value.ExitCode);
        Assert.Empty(_node.ProvenPartitions);

        var (_, controlKey) = _node.AddControlAddress();
        _node.SetWalletBalance(controlKey, BigInteger.Parse("100000000000000000000", CultureInfo.InvariantCulture));
        var control = (await ResultAsync("Filecoin.MpoolPushMessage", PushJson(controlKey, 5, parameters, "0", "null"))).GetProperty("CID").GetProperty("/").GetString()!;
        await _node.MineAsync(1);
        Assert.Equal(0, _node.ReceiptOf(control)!.Value.ExitCode);
        Assert.Equal(controlKey, _node.WindowPoSts.Last().From);
        Assert.Equal((16UL, 0UL), (_node.ProvenPartitions[0].Deadline, _node.ProvenPartitions[0].Partition));
    }

    private async Task<string> PushAsync(ulong method, byte[] parameters)
    {
        var pushed = await ResultAsync("Filecoin.MpoolPushMessage", PushJson(_node.Worker, method, parameters, "0", "null"));
        return pushed.GetProperty("CID").GetProperty("/").GetString()!;
    }

    private string PushJson(string from, ulong method, byte[] parameters, string value, string spec) =>
        $$"""[{"Version":0,"To":"{{_node.Miner}}","From":"{{from}}","Nonce":0,"Value":"{{value}}","GasLimit":0,"GasFeeCap":"0","GasPremium":"0","Method":{{method}},"Params":"{{Convert.ToBase64String(parameters)}}"},{{spec}}]""";

    private static List<string> Keys(JsonElement obj) => [.. obj.EnumerateObject().Select(p => p.Name)];

    private async Task<JsonElement> ResultAsync(string method, string parameters)
    {
        var answer = await CallAsync(method, parameters);
        Assert.False(answer.TryGetProperty("error", out var error), $"{method} answered an error: {error}");
        return answer.GetProperty("result");
    }

    private async Task<JsonElement> CallAsync(string method, string parameters, CancellationToken ct = default)
    {
        using var doc = JsonDocument.Parse(await RawAsync(method, parameters, ct));
        return doc.RootElement.Clone();
    }

    private async Task<string> RawAsync(string method, string parameters, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _node.Endpoint)
        {
            Content = new StringContent($$"""{"jsonrpc":"2.0","id":1,"method":"{{method}}","params":{{parameters}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LotusNodeStandIn.Token);
        using var response = await Http.SendAsync(request, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }
}
