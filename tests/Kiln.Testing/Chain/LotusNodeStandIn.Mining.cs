using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Testing.Chain.Cbor;

namespace Kiln.Testing.Chain;

/// <summary>
/// Mining: MinerGetBaseInfo (power, network power, sectors, the worker's key, beacon entries: knobs), WalletSign (a
/// deterministic BLS-shaped signature, BLAKE2b of key ‖ salt ‖ data, so a test can compute any VRF itself),
/// MpoolSelect, MinerCreateBlock (the template decoded here, a header built and returned), SyncSubmitBlock (the block
/// decoded and recorded in <see cref="SubmittedBlocks"/>) and StateGetBeaconEntry. <see cref="MiningHang"/> holds
/// MinerGetBaseInfo until cleared; <see cref="SetDownAsync"/> takes the whole node down.
/// </summary>
public sealed partial class LotusNodeStandIn
{
    private readonly ConcurrentQueue<SubmittedBlock> _blocks = new();
    private readonly ConcurrentQueue<(long Epoch, string Miner)> _baseInfoCalls = new();
    private TaskCompletionSource _miningReleased = CompletedSource();
    private TaskCompletionSource _miningHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private BigInteger _minerPower = 1;
    private BigInteger _networkPower = 1;

    /// <summary>The miner's power in MinerGetBaseInfo (default 1, with a network power of 1: λ = 5).</summary>
    public BigInteger MinerPower
    {
        get
        {
            lock (_lock)
            {
                return _minerPower;
            }
        }

        set
        {
            lock (_lock)
            {
                _minerPower = value;
            }
        }
    }

    /// <summary>The network's power in MinerGetBaseInfo.</summary>
    public BigInteger NetworkPower
    {
        get
        {
            lock (_lock)
            {
                return _networkPower;
            }
        }

        set
        {
            lock (_lock)
            {
                _networkPower = value;
            }
        }
    }

    /// <summary>EligibleForMining in MinerGetBaseInfo (default true).</summary>
    public bool EligibleForMining { get; set; } = true;

    /// <summary>While true, MinerGetBaseInfo answers null (the miner has nothing eligible).</summary>
    public bool NoBaseInfo { get; set; }

    /// <summary>Mixed into every WalletSign (key ‖ salt ‖ data): changes every VRF, so a test can pick a winning or losing one.</summary>
    public byte[] SignatureSalt { get; set; } = [];

    /// <summary>
    /// The sectors MinerGetBaseInfo lists: (number, seal proof, sealed CID text). Null (default): the active sectors.
    /// </summary>
    public IReadOnlyList<(ulong Number, long SealProof, string SealedCid)>? MiningSectors { get; set; }

    /// <summary>The beacon entries of a round (MinerGetBaseInfo's BeaconEntries); default <see cref="DefaultBeacon"/> of the round.</summary>
    public Func<long, IReadOnlyList<(ulong Round, byte[] Data)>> BeaconEntriesFor { get; set; } = e => [DefaultBeacon(e)];

    /// <summary>MpoolSelect's answer: signed messages as JSON objects (default none).</summary>
    public IReadOnlyList<JsonObject> PendingMessages { get; set; } = [];

    /// <summary>While true, MinerGetBaseInfo does not answer (until set false, or the node goes down).</summary>
    public bool MiningHang
    {
        get => !_miningReleased.Task.IsCompleted;
        set
        {
            if (value && !MiningHang)
            {
                _miningHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _miningReleased = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            else if (!value)
            {
                _miningReleased.TrySetResult();
            }
        }
    }

    /// <summary>Completes once a MinerGetBaseInfo call is held by <see cref="MiningHang"/> (since it was last set).</summary>
    public Task MiningHeld => _miningHeld.Task;

    /// <summary>Raised (under the node's lock: keep it short) as SyncSubmitBlock accepts a block.</summary>
    public event Action<SubmittedBlock>? BlockSubmitted;

    /// <summary>Every block SyncSubmitBlock received, in order.</summary>
    public IReadOnlyList<SubmittedBlock> SubmittedBlocks => [.. _blocks];

    /// <summary>Every MinerGetBaseInfo call: (round, miner).</summary>
    public IReadOnlyList<(long Epoch, string Miner)> BaseInfoCalls => [.. _baseInfoCalls];

    /// <summary>The stand-in's drand entry for an epoch: round 1000 + epoch, 96 bytes derived from it.</summary>
    public static (ulong Round, byte[] Data) DefaultBeacon(long epoch) =>
        ((ulong)(1000 + epoch), [.. Synthetic("beacon " + epoch.ToString(CultureInfo.InvariantCulture), 64), .. Synthetic("beacon2 " + epoch.ToString(CultureInfo.InvariantCulture), 32)]);

    /// <summary>What WalletSign answers for <paramref name="data"/> signed by the key address bytes <paramref name="key"/>: 96 bytes.</summary>
    public static byte[] Sign(byte[] key, byte[] salt, byte[] data)
    {
        byte[] input = [.. key, .. salt, .. data];
        return [.. Blake2bHash.Hash(input, 64), .. Blake2bHash.Hash(input, 32)];
    }

    /// <summary>Lotus chain/rand DrawRandomnessFromBase, written here from its definition, for tests to check draws with.</summary>
    public static byte[] DrawFromBase(byte[] rbase, long tag, long round, byte[] entropy)
    {
        var input = new byte[48 + entropy.Length];
        BinaryPrimitives.WriteInt64BigEndian(input, tag);
        Blake2bHash.Hash(rbase, 32).CopyTo(input, 8);
        BinaryPrimitives.WriteInt64BigEndian(input.AsSpan(40), round);
        entropy.CopyTo(input, 48);
        return Blake2bHash.Hash(input, 32);
    }

    private static TaskCompletionSource CompletedSource()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    private static bool IsMiningMethod(string method) => method is "Filecoin.MinerGetBaseInfo" or "Filecoin.MinerCreateBlock" or "Filecoin.SyncSubmitBlock"
        or "Filecoin.MpoolSelect" or "Filecoin.WalletSign" or "Filecoin.StateGetBeaconEntry";

    private async Task<JsonNode?> DispatchMiningAsync(string method, JsonElement p, CancellationToken ct)
    {
        if (method == "Filecoin.MinerGetBaseInfo" && !_miningReleased.Task.IsCompleted)
        {
            _miningHeld.TrySetResult();
            await _miningReleased.Task.WaitAsync(ct);
        }

        try
        {
            return DispatchMiningLocked(method, p);
        }
        catch (Exception e) when (e is not RpcError)
        {
            // A stand-in bug, or params it cannot read: answered as a method error naming the cause.
            throw new RpcError(1, $"{method}: {e.GetType().Name}: {e.Message}");
        }
    }

    private JsonNode? DispatchMiningLocked(string method, JsonElement p)
    {
        lock (_lock)
        {
            return method switch
            {
                "Filecoin.MinerGetBaseInfo" => BaseInfoLocked(p),
                "Filecoin.MinerCreateBlock" => CreateBlockLocked(p),
                "Filecoin.SyncSubmitBlock" => SubmitBlockLocked(p),
                "Filecoin.MpoolSelect" => MpoolSelectLocked(p),
                "Filecoin.WalletSign" => WalletSignLocked(p),
                _ => BeaconNode(DefaultBeacon(Int(p, 0, "epoch"))),
            };
        }
    }

    private JsonNode? BaseInfoLocked(JsonElement p)
    {
        var miner = Address(p, 0, "miner");
        if (AddressText.ToText(miner, Network) != Miner)
        {
            throw new RpcError(1, $"failed to load miner actor: actor {AddressText.ToText(miner, Network)} not found");
        }

        var round = Int(p, 1, "epoch");
        var key = TipSetKey(p, 2);
        if (key.Count > 0 && key[0] != TipSetKeyLocked(_head) && !Enumerable.Range(0, 20).Any(back => key[0] == TipSetKeyLocked(_head - back)))
        {
            throw new RpcError(1, $"loading tipset {key[0]}: not found");
        }

        _baseInfoCalls.Enqueue((round, Miner));
        if (NoBaseInfo)
        {
            return null;
        }

        var sectors = MiningSectors ?? [.. _sectors.Select(s => (s.Key, s.Value.PreCommit.Info.SealProof, CidText.Encode(s.Value.PreCommit.Info.SealedCid)))];
        var entries = BeaconEntriesFor(round);
        return new JsonObject
        {
            ["MinerPower"] = _minerPower.ToString(CultureInfo.InvariantCulture),
            ["NetworkPower"] = _networkPower.ToString(CultureInfo.InvariantCulture),
            ["Sectors"] = new JsonArray([.. sectors.Select(s => (JsonNode)new JsonObject
            {
                ["SealProof"] = s.Item2,
                ["SectorNumber"] = s.Item1,
                ["SectorKey"] = null,
                ["SealedCID"] = CidNode(s.Item3),
            })]),
            ["WorkerKey"] = WorkerKey,
            ["SectorSize"] = ProofFacts.SectorSize,
            ["PrevBeaconEntry"] = BeaconNode(DefaultBeacon(round - 1)),
            ["BeaconEntries"] = new JsonArray([.. entries.Select(e => (JsonNode)BeaconNode(e))]),
            ["EligibleForMining"] = EligibleForMining,
        };
    }

    private JsonNode WalletSignLocked(JsonElement p)
    {
        var address = Address(p, 0, "address");
        var key = ResolveKeyLocked(address) ?? address;
        if (AddressText.ToText(key, Network) != WorkerKey)
        {
            throw new RpcError(1, $"failed to sign message: key not found for {AddressText.ToText(address, Network)}");
        }

        var data = Param(p, 1, "data");
        if (data.ValueKind != JsonValueKind.String || !data.TryGetBytesFromBase64(out var bytes))
        {
            throw new RpcError(-32602, "unmarshaling params: data must be base64");
        }

        // A BLS worker signs with type 2; a secp256k1 one with type 1 (which a VRF refuses).
        return new JsonObject { ["Type"] = key[0] == 3 ? 2 : 1, ["Data"] = Convert.ToBase64String(Sign(key, SignatureSalt, bytes)) };
    }

    private JsonNode MpoolSelectLocked(JsonElement p)
    {
        _ = TipSetKey(p, 0);
        var quality = Param(p, 1, "ticket quality");
        if (quality.ValueKind != JsonValueKind.Number || quality.GetDouble() is < 0 or > 1)
        {
            throw new RpcError(-32602, $"unmarshaling params: ticket quality must be a number in [0, 1], got {quality.GetRawText()}");
        }

        return new JsonArray([.. PendingMessages.Select(m => m.DeepClone())]);
    }

    /// <summary>Decodes the template field by field and answers the BlockMsg a Lotus node would build (header signed by the worker).</summary>
    private JsonNode CreateBlockLocked(JsonElement p)
    {
        var t = Param(p, 0, "block template");
        var miner = Field(t, "Miner").GetString();
        if (miner != Miner)
        {
            throw new RpcError(1, $"block template miner {miner} is not {Miner}");
        }

        var epoch = Number(Field(t, "Epoch"), "Epoch");
        if (epoch <= _head - 1 || epoch > _head + 100)
        {
            throw new RpcError(1, $"block template epoch {epoch} is not after the base (head {_head})");
        }

        var parents = Field(t, "Parents").EnumerateArray().Select(c => Cid(c, "parent")).ToList();
        var messages = Field(t, "Messages");
        var bls = new JsonArray();
        var secpk = new JsonArray();
        foreach (var m in messages.ValueKind == JsonValueKind.Array ? messages.EnumerateArray() : default)
        {
            var cid = Cid(Field(m, "CID"), "message CID");
            (Number(Field(Field(m, "Signature"), "Type"), "signature type") == 2 ? bls : secpk).Add(CidNode(cid));
        }

        var header = new JsonObject
        {
            ["Miner"] = miner,
            ["Ticket"] = JsonNode.Parse(Field(t, "Ticket").GetRawText()),
            ["ElectionProof"] = JsonNode.Parse(Field(t, "Eproof").GetRawText()),
            ["BeaconEntries"] = JsonNode.Parse(Field(t, "BeaconValues").GetRawText()),
            ["WinPoStProof"] = JsonNode.Parse(Field(t, "WinningPoStProof").GetRawText()),
            ["Parents"] = new JsonArray([.. parents.Select(c => (JsonNode)CidNode(c))]),
            ["ParentWeight"] = ((epoch - 1) * 10).ToString(CultureInfo.InvariantCulture),
            ["Height"] = epoch,
            ["ParentStateRoot"] = CidNode(CidText.Encode(CidText.OfDagCbor(Synthetic("state " + epoch.ToString(CultureInfo.InvariantCulture), 32)))),
            ["ParentMessageReceipts"] = CidNode(CidText.Encode(CidText.OfDagCbor(Synthetic("receipts " + epoch.ToString(CultureInfo.InvariantCulture), 32)))),
            ["Messages"] = CidNode(CidText.Encode(CidText.OfDagCbor(Synthetic("messages " + epoch.ToString(CultureInfo.InvariantCulture), 32)))),
            ["BLSAggregate"] = new JsonObject { ["Type"] = 2, ["Data"] = Convert.ToBase64String(Synthetic("bls " + epoch.ToString(CultureInfo.InvariantCulture), 48)) },
            ["Timestamp"] = Field(t, "Timestamp").GetUInt64(),
            ["BlockSig"] = new JsonObject { ["Type"] = 2, ["Data"] = Convert.ToBase64String(Synthetic("block sig " + epoch.ToString(CultureInfo.InvariantCulture), 48)) },
            ["ForkSignaling"] = 0,
            ["ParentBaseFee"] = BaseFee.ToString(CultureInfo.InvariantCulture),
        };
        return new JsonObject { ["Header"] = header, ["BlsMessages"] = bls, ["SecpkMessages"] = secpk };
    }

    private JsonNode? SubmitBlockLocked(JsonElement p)
    {
        var b = Param(p, 0, "block");
        var h = Field(b, "Header");
        var ticket = Field(h, "Ticket");
        var election = Field(h, "ElectionProof");
        if (ticket.ValueKind != JsonValueKind.Object || election.ValueKind != JsonValueKind.Object)
        {
            throw new RpcError(1, "block has no ticket or no election proof");
        }

        var winCount = Number(Field(election, "WinCount"), "WinCount");
        if (winCount < 1)
        {
            throw new RpcError(1, $"block is not claiming to be a winner (win count {winCount})");
        }

        var block = new SubmittedBlock(
            CidText.Encode(CidText.OfDagCbor(HeaderCbor(h))),
            Field(h, "Miner").GetString()!,
            Number(Field(h, "Height"), "Height"),
            [.. Field(h, "Parents").EnumerateArray().Select(c => Cid(c, "parent"))],
            Base64(Field(ticket, "VRFProof")),
            winCount,
            Base64(Field(election, "VRFProof")),
            [.. Field(h, "BeaconEntries").EnumerateArray().Select(e => (Field(e, "Round").GetUInt64(), Base64(Field(e, "Data"))))],
            [.. Field(h, "WinPoStProof").EnumerateArray().Select(w => (Number(Field(w, "PoStProof"), "PoStProof"), Base64(Field(w, "ProofBytes"))))],
            [.. Field(b, "BlsMessages").EnumerateArray().Select(c => Cid(c, "BLS message"))],
            [.. Field(b, "SecpkMessages").EnumerateArray().Select(c => Cid(c, "secp message"))],
            Field(h, "Timestamp").GetUInt64());
        _blocks.Enqueue(block);
        BlockSubmitted?.Invoke(block);
        Pulse();
        return null;
    }

    /// <summary>The header's CBOR as cbor-gen writes Lotus's BlockHeader (16-tuple), from the JSON, with the stand-in's own writer.</summary>
    private static byte[] HeaderCbor(JsonElement h)
    {
        var w = new TupleCborWriter().Array(16);
        w.Bytes(AddressText.ToBytes(Field(h, "Miner").GetString()!));
        w.Array(1).Bytes(Base64(Field(Field(h, "Ticket"), "VRFProof")));
        var e = Field(h, "ElectionProof");
        w.Array(2).Int(Number(Field(e, "WinCount"), "WinCount")).Bytes(Base64(Field(e, "VRFProof")));
        var beacons = Field(h, "BeaconEntries").EnumerateArray().ToList();
        w.Array(beacons.Count);
        foreach (var be in beacons)
        {
            w.Array(2).UInt(Field(be, "Round").GetUInt64()).Bytes(Base64(Field(be, "Data")));
        }

        var proofs = Field(h, "WinPoStProof").EnumerateArray().ToList();
        w.Array(proofs.Count);
        foreach (var pr in proofs)
        {
            w.Array(2).Int(Number(Field(pr, "PoStProof"), "PoStProof")).Bytes(Base64(Field(pr, "ProofBytes")));
        }

        var parents = Field(h, "Parents").EnumerateArray().ToList();
        w.Array(parents.Count);
        foreach (var c in parents)
        {
            w.Cid(CidText.Decode(Cid(c, "parent")));
        }

        w.BigInt(BigInteger.Parse(Field(h, "ParentWeight").GetString()!, CultureInfo.InvariantCulture));
        w.Int(Number(Field(h, "Height"), "Height"));
        w.Cid(CidText.Decode(Cid(Field(h, "ParentStateRoot"), "state root")));
        w.Cid(CidText.Decode(Cid(Field(h, "ParentMessageReceipts"), "receipts")));
        w.Cid(CidText.Decode(Cid(Field(h, "Messages"), "messages")));
        Signature(w, Field(h, "BLSAggregate"));
        w.UInt(Field(h, "Timestamp").GetUInt64());
        Signature(w, Field(h, "BlockSig"));
        w.UInt(Field(h, "ForkSignaling").GetUInt64());
        w.BigInt(BigInteger.Parse(Field(h, "ParentBaseFee").GetString()!, CultureInfo.InvariantCulture));
        return w.ToArray();
    }

    private static void Signature(TupleCborWriter w, JsonElement s)
    {
        if (s.ValueKind == JsonValueKind.Null)
        {
            w.Null();
            return;
        }

        w.Bytes([(byte)Number(Field(s, "Type"), "signature type"), .. Base64(Field(s, "Data"))]);
    }

    private static byte[] Base64(JsonElement e) =>
        e.ValueKind == JsonValueKind.String && e.TryGetBytesFromBase64(out var bytes) ? bytes : throw new RpcError(-32602, $"unmarshaling params: expected base64, got {e.GetRawText()}");

    private static JsonObject BeaconNode((ulong Round, byte[] Data) entry) => new() { ["Round"] = entry.Round, ["Data"] = Convert.ToBase64String(entry.Data) };
}
