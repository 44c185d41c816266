using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Testing.Chain.Cbor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kiln.Testing.Chain;

/// <summary>The JSON-RPC surface: requests read with System.Text.Json (not Kiln's records), answers shaped as Lotus's openrpc examples.</summary>
public sealed partial class LotusNodeStandIn
{
    /// <summary>Raised as <c>MpoolPushMessage</c> accepts a message (under the node's lock: handlers only take note), for timing from outside.</summary>
    public event Action<PushedMessage>? MessagePushed;

    /// <summary>Miner policy WPoStChallengeLookback.</summary>
    private const long WPoStChallengeLookback = 20;

    /// <summary>Miner policy FaultDeclarationCutoff.</summary>
    private const long FaultDeclarationCutoff = 70;

    /// <summary>go-state-types abi: sector size and WindowPoStPartitionSectors for the seal proof's size (V1 0–4, V1_1 5–9, synthetic 10–14, NI 15–19).</summary>
    private (ulong SectorSize, ulong PartitionSectors, long WindowPoStProof) ProofFacts
    {
        get
        {
            if (SealProofType is < 0 or > 19)
            {
                throw new InvalidOperationException($"seal proof {SealProofType} is not a known abi.RegisteredSealProof");
            }

            var size = (int)(SealProofType % 5);
            ulong[] sizes = [2048, 8UL << 20, 512UL << 20, 32UL << 30, 64UL << 30];
            ulong[] partitions = [2, 2, 2, 2349, 2300];
            // StackedDrgWindow*V1_1 is 10 + size index.
            return (sizes[size], partitions[size], 10 + size);
        }
    }

    private int PartitionSectors => (int)ProofFacts.PartitionSectors;

    private async Task ListenAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, Port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/rpc/v1", HandleAsync);
        _serving = new CancellationTokenSource();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Port = new Uri(address).Port;
        _app = app;
    }

    private async Task StopListeningAsync()
    {
        var app = _app;
        _app = null;
        await _serving.CancelAsync();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        _serving.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization != "Bearer " + Token)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        JsonElement root;
        try
        {
            using var request = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            root = request.RootElement.Clone();
        }
        catch (JsonException e)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await WriteAsync(context, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":" + JsonSerializer.Serialize("parse error: " + e.Message) + "}}");
            return;
        }

        var id = root.TryGetProperty("id", out var idElement) ? idElement.GetRawText() : "null";
        var method = root.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        var parameters = root.TryGetProperty("params", out var p) ? p : default;
        _calls.Enqueue((method, parameters));

        if (_garbage.TryGetValue(method, out var garbage))
        {
            await WriteAsync(context, garbage == GarbageKind.MalformedJson
                ? "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"Cids\":[{\"/\":"
                : "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":[[\"garbage\"]]}");
            return;
        }

        string body;
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _serving.Token);
        try
        {
            var result = await DispatchAsync(method, parameters, aborted.Token);
            body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + (result?.ToJsonString() ?? "null") + "}";
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away, or the node is going down: cut the connection as a stopping node does.
            context.Abort();
            return;
        }
        catch (RpcError e)
        {
            body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":" + e.Code.ToString(CultureInfo.InvariantCulture) + ",\"message\":" + JsonSerializer.Serialize(e.Message) + "}}";
            // go-jsonrpc server.go rpcError: protocol errors (bad params, unknown method) are HTTP 500; a method's own error is 200 with code 1.
            if (e.Code < 0)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }

        await WriteAsync(context, body);
    }

    private static async Task WriteAsync(HttpContext context, string body)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    private async Task<JsonNode?> DispatchAsync(string method, JsonElement p, CancellationToken ct)
    {
        if (IsMiningMethod(method))
        {
            return await DispatchMiningAsync(method, p, ct);
        }

        if (method == "Filecoin.StateWaitMsg")
        {
            return await StateWaitMsgAsync(p, ct);
        }

        lock (_lock)
        {
            return method switch
            {
                "Filecoin.ChainHead" => TipSetLocked(_head),
                "Filecoin.ChainGetTipSetByHeight" => ChainGetTipSetByHeightLocked(p),
                "Filecoin.StateGetNetworkParams" => NetworkParams(),
                "Filecoin.StateNetworkVersion" => JsonValue.Create(NetworkVersion),
                "Filecoin.StateMinerInfo" => MinerInfoLocked(p),
                "Filecoin.StateLookupID" => LookupIdLocked(p),
                "Filecoin.StateAccountKey" => AccountKeyLocked(p),
                "Filecoin.StateMinerAllocated" => MinerAllocatedLocked(p),
                "Filecoin.StateMinerSectorAllocated" => MinerSectorAllocatedLocked(p),
                "Filecoin.StateSectorPreCommitInfo" => PreCommitInfoLocked(p),
                "Filecoin.StateMinerPreCommitDepositForPower" => Amount(p, PreCommitDepositPerSector),
                "Filecoin.StateMinerInitialPledgeCollateral" => Amount(p, InitialPledgePerSector),
                "Filecoin.StateMinerAvailableBalance" => MinerAvailableBalanceLocked(p),
                "Filecoin.WalletBalance" => JsonValue.Create(BalanceLocked(Address(p, 0, "address")).ToString(CultureInfo.InvariantCulture)),
                "Filecoin.MpoolPushMessage" => MpoolPushMessageLocked(p),
                "Filecoin.StateSearchMsg" => LookupLocked(Cid(Param(p, 1, "message CID"), "message CID"), 0),
                "Filecoin.StateSectorGetInfo" => SectorGetInfoLocked(p),
                "Filecoin.StateSectorPartition" => SectorPartitionLocked(p),
                "Filecoin.StateMinerPartitions" => MinerPartitionsLocked(p),
                "Filecoin.StateMinerProvingDeadline" => ProvingDeadlineLocked(p),
                "Filecoin.StateGetRandomnessFromTickets" => RandomnessLocked(p, beacon: false),
                "Filecoin.StateGetRandomnessFromBeacon" => RandomnessLocked(p, beacon: true),
                _ => throw new RpcError(-32601, $"method '{method}' not found"),
            };
        }
    }

    private async Task<JsonNode?> StateWaitMsgAsync(JsonElement p, CancellationToken ct)
    {
        var cid = Cid(Param(p, 0, "message CID"), "message CID");
        var confidence = UInt(p, 1, "confidence");
        Interlocked.Increment(ref _activeWaits);
        try
        {
            lock (_lock)
            {
                Pulse();
            }

            while (true)
            {
                Task changed;
                lock (_lock)
                {
                    if (LookupLocked(cid, confidence) is { } found)
                    {
                        return found;
                    }

                    changed = _changed.Task;
                }

                await changed.WaitAsync(ct);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _activeWaits);
            lock (_lock)
            {
                Pulse();
            }
        }
    }

    /// <summary>
    /// Lotus api.MsgLookup, or null when the message is not on chain with <paramref name="confidence"/> epochs on top.
    /// As in Lotus chain/stmgr/searchwait.go, the lookup names the tipset that executed the message: the child of the
    /// one that included it (whose ParentMessageReceipts hold the receipt), so it exists once that child is mined.
    /// </summary>
    private JsonObject? LookupLocked(string cid, ulong confidence)
    {
        if (!_messages.TryGetValue(cid, out var m) || m.IncludedAt is not { } included || _head < included + 1 + (long)confidence)
        {
            return null;
        }

        var height = included + 1;

        return new JsonObject
        {
            ["Message"] = CidNode(cid),
            ["Receipt"] = new JsonObject
            {
                ["ExitCode"] = m.ExitCode,
                ["Return"] = m.Return is null ? null : Convert.ToBase64String(m.Return),
                ["GasUsed"] = m.GasUsed,
                ["EventsRoot"] = null,
            },
            ["ReturnDec"] = null,
            ["TipSet"] = new JsonArray(CidNode(TipSetKeyLocked(height))),
            ["Height"] = height,
        };
    }

    private JsonObject TipSetLocked(long height)
    {
        var key = TipSetKeyLocked(height);
        var block = new JsonObject
        {
            ["Miner"] = Miner,
            ["Ticket"] = new JsonObject { ["VRFProof"] = Convert.ToBase64String(Synthetic("ticket " + key, 64).Concat(Synthetic("ticket2 " + key, 32)).ToArray()) },
            ["ElectionProof"] = new JsonObject { ["WinCount"] = 1, ["VRFProof"] = Convert.ToBase64String(Synthetic("election " + key, 64).Concat(Synthetic("election2 " + key, 32)).ToArray()) },
            ["BeaconEntries"] = new JsonArray(),
            ["WinPoStProof"] = new JsonArray(),
            ["Parents"] = new JsonArray(CidNode(TipSetKeyLocked(height - 1))),
            ["ParentWeight"] = (height * 10).ToString(CultureInfo.InvariantCulture),
            ["Height"] = height,
            ["ParentStateRoot"] = CidNode(CidText.Encode(CidText.OfDagCbor(Synthetic("state " + key, 32)))),
            ["ParentMessageReceipts"] = CidNode(CidText.Encode(CidText.OfDagCbor(Synthetic("receipts " + key, 32)))),
            ["Messages"] = CidNode(CidText.Encode(CidText.OfDagCbor(Synthetic("messages " + key, 32)))),
            ["BLSAggregate"] = new JsonObject { ["Type"] = 2, ["Data"] = Convert.ToBase64String(Synthetic("bls " + key, 64).Concat(Synthetic("bls2 " + key, 32)).ToArray()) },
            ["Timestamp"] = 1_700_000_000 + (height * BlockDelaySecs),
            ["BlockSig"] = new JsonObject { ["Type"] = 2, ["Data"] = Convert.ToBase64String(Synthetic("sig " + key, 64).Concat(Synthetic("sig2 " + key, 32)).ToArray()) },
            ["ForkSignaling"] = 0,
            ["ParentBaseFee"] = BaseFee.ToString(CultureInfo.InvariantCulture),
        };
        return new JsonObject
        {
            ["Cids"] = new JsonArray(CidNode(key)),
            ["Blocks"] = new JsonArray(block),
            ["Height"] = height,
        };
    }

    private JsonObject ChainGetTipSetByHeightLocked(JsonElement p)
    {
        var epoch = Int(p, 0, "epoch");
        _ = TipSetKey(p, 1);
        if (epoch > _head)
        {
            throw new RpcError(1, "looking for tipset with height greater than start point");
        }

        if (epoch < 0)
        {
            throw new RpcError(1, $"cannot get tipset at negative height {epoch}");
        }

        return TipSetLocked(epoch);
    }

    private JsonObject NetworkParams()
    {
        var upgrades = new JsonObject();
        foreach (var name in (string[])["UpgradeSmokeHeight", "UpgradeBreezeHeight", "UpgradeIgnitionHeight", "UpgradeLiftoffHeight", "UpgradeAssemblyHeight",
            "UpgradeRefuelHeight", "UpgradeTapeHeight", "UpgradeKumquatHeight", "BreezeGasTampingDuration", "UpgradeCalicoHeight", "UpgradePersianHeight",
            "UpgradeOrangeHeight", "UpgradeClausHeight", "UpgradeTrustHeight", "UpgradeNorwegianHeight", "UpgradeTurboHeight", "UpgradeHyperdriveHeight",
            "UpgradeChocolateHeight", "UpgradeOhSnapHeight", "UpgradeSkyrHeight", "UpgradeSharkHeight", "UpgradeHyggeHeight", "UpgradeLightningHeight",
            "UpgradeThunderHeight", "UpgradeWatermelonHeight", "UpgradeDragonHeight", "UpgradePhoenixHeight", "UpgradeWaffleHeight", "UpgradeTuktukHeight",
            "UpgradeTeepHeight", "UpgradeTockHeight", "UpgradeGoldenWeekHeight", "UpgradeFireHorseHeight", "UpgradeXxHeight"])
        {
            upgrades[name] = name == "BreezeGasTampingDuration" ? 0 : -1;
        }

        return new JsonObject
        {
            ["NetworkName"] = "localnet-kiln",
            ["BlockDelaySecs"] = BlockDelaySecs,
            ["ConsensusMinerMinPower"] = "2048",
            ["PreCommitChallengeDelay"] = PreCommitChallengeDelay,
            ["ForkUpgradeParams"] = upgrades,
            ["Eip155ChainID"] = 31415926,
            ["GenesisTimestamp"] = 1_700_000_000,
        };
    }

    private JsonObject MinerInfoLocked(JsonElement p)
    {
        RequireMiner(p, 0);
        var (size, partition, post) = ProofFacts;
        var owner = AddressText.IdText(OwnerId, Network);
        return new JsonObject
        {
            ["Owner"] = owner,
            ["Worker"] = Worker,
            ["NewWorker"] = "<empty>",
            ["ControlAddresses"] = new JsonArray([.. _controlIds.Select(id => (JsonNode)JsonValue.Create(AddressText.IdText(id, Network)))]),
            ["WorkerChangeEpoch"] = -1,
            ["PeerId"] = null,
            ["Multiaddrs"] = new JsonArray(),
            ["WindowPoStProofType"] = post,
            ["SectorSize"] = size,
            ["WindowPoStPartitionSectors"] = partition,
            ["ConsensusFaultElapsed"] = -1,
            ["PendingOwnerAddress"] = null,
            ["Beneficiary"] = owner,
            ["BeneficiaryTerm"] = new JsonObject { ["Quota"] = "0", ["UsedQuota"] = "0", ["Expiration"] = 0 },
            ["PendingBeneficiaryTerm"] = null,
        };
    }

    private JsonValue LookupIdLocked(JsonElement p)
    {
        var address = Address(p, 0, "address");
        _ = TipSetKey(p, 1);
        var id = AddressText.IdOf(address) ?? ResolveIdLocked(address);
        return id is { } found
            ? JsonValue.Create(AddressText.IdText(found, Network))
            : throw new RpcError(1, $"resolution lookup failed ({AddressText.ToText(address, Network)}): actor not found");
    }

    /// <summary>Lotus StateAccountKey: the key address behind an ID address (a key address answers itself).</summary>
    private JsonValue AccountKeyLocked(JsonElement p)
    {
        var address = Address(p, 0, "address");
        _ = TipSetKey(p, 1);
        return ResolveKeyLocked(address) is { } key
            ? JsonValue.Create(AddressText.ToText(key, Network))
            : throw new RpcError(1, $"resolution lookup failed ({AddressText.ToText(address, Network)}): actor not found");
    }

    private JsonArray MinerAllocatedLocked(JsonElement p)
    {
        RequireMiner(p, 0);
        return new JsonArray([.. RleRuns(_allocated).Select(r => (JsonNode)JsonValue.Create(r))]);
    }

    private JsonObject? PreCommitInfoLocked(JsonElement p)
    {
        RequireMiner(p, 0);
        if (!_preCommits.TryGetValue(UInt(p, 1, "sector number"), out var pre))
        {
            return null;
        }

        var i = pre.Info;
        return new JsonObject
        {
            ["Info"] = new JsonObject
            {
                ["SealProof"] = i.SealProof,
                ["SectorNumber"] = i.SectorNumber,
                ["SealedCID"] = CidNode(i.SealedCidText),
                ["SealRandEpoch"] = i.SealRandEpoch,
                ["DealIDs"] = new JsonArray([.. i.DealIds.Select(d => (JsonNode)JsonValue.Create(d))]),
                ["Expiration"] = i.Expiration,
                ["UnsealedCid"] = i.UnsealedCid is null ? null : CidNode(CidText.Encode(i.UnsealedCid)),
            },
            ["PreCommitDeposit"] = pre.Deposit.ToString(CultureInfo.InvariantCulture),
            ["PreCommitEpoch"] = pre.Epoch,
        };
    }

    /// <summary>A per-sector amount, after checking the params are (miner, SectorPreCommitInfo object, tipset key).</summary>
    private JsonValue Amount(JsonElement p, BigInteger perSector)
    {
        RequireMiner(p, 0);
        var info = Param(p, 1, "SectorPreCommitInfo");
        if (info.ValueKind != JsonValueKind.Object || !info.TryGetProperty("SectorNumber", out _) || !info.TryGetProperty("SealedCID", out var sealedCid))
        {
            throw new RpcError(-32602, "unmarshaling params: SectorPreCommitInfo must be an object with SectorNumber and SealedCID");
        }

        _ = Cid(sealedCid, "SealedCID");
        return JsonValue.Create(perSector.ToString(CultureInfo.InvariantCulture));
    }

    private JsonObject? SectorGetInfoLocked(JsonElement p)
    {
        RequireMiner(p, 0);
        if (!_sectors.TryGetValue(UInt(p, 1, "sector number"), out var s))
        {
            return null;
        }

        var i = s.PreCommit.Info;
        return new JsonObject
        {
            ["SectorNumber"] = i.SectorNumber,
            ["SealProof"] = i.SealProof,
            ["SealedCID"] = CidNode(i.SealedCidText),
            ["Activation"] = s.Activation,
            ["Expiration"] = i.Expiration,
            ["DealWeight"] = "0",
            ["VerifiedDealWeight"] = "0",
            ["InitialPledge"] = s.Pledge.ToString(CultureInfo.InvariantCulture),
            ["ExpectedDayReward"] = "0",
            ["ExpectedStoragePledge"] = "0",
            ["PowerBaseEpoch"] = s.Activation,
            ["ReplacedDayReward"] = "0",
            ["SectorKeyCID"] = null,
            ["Flags"] = 0,
            ["DailyFee"] = "0",
        };
    }

    private JsonObject? SectorPartitionLocked(JsonElement p)
    {
        RequireMiner(p, 0);
        return _sectors.TryGetValue(UInt(p, 1, "sector number"), out var s)
            ? new JsonObject { ["Deadline"] = s.Deadline, ["Partition"] = s.Partition }
            : null;
    }

    private JsonArray MinerPartitionsLocked(JsonElement p)
    {
        RequireMiner(p, 0);
        var deadline = UInt(p, 1, "deadline index");
        if (deadline >= WPoStPeriodDeadlines)
        {
            throw new RpcError(1, $"invalid deadline {deadline}");
        }

        var partitions = new JsonArray();
        foreach (var group in _sectors.Values.Where(s => s.Deadline == deadline).GroupBy(s => s.Partition).OrderBy(g => g.Key))
        {
            var members = group.Select(s => s.PreCommit.Info.SectorNumber).ToList();
            var faulty = members.Where(_faulty.Contains).ToList();
            partitions.Add(new JsonObject
            {
                ["AllSectors"] = Runs(members),
                ["FaultySectors"] = Runs(faulty),
                ["RecoveringSectors"] = Runs(members.Where(_recovering.Contains)),
                ["LiveSectors"] = Runs(members),
                ["ActiveSectors"] = Runs(members.Except(faulty)),
            });
        }

        return partitions;

        static JsonArray Runs(IEnumerable<ulong> set) => new([.. RleRuns(set).Select(r => (JsonNode)JsonValue.Create(r))]);
    }

    private JsonValue MinerSectorAllocatedLocked(JsonElement p)
    {
        RequireMiner(p, 0);
        return JsonValue.Create(_allocated.Contains(UInt(p, 1, "sector number")));
    }

    private JsonValue MinerAvailableBalanceLocked(JsonElement p)
    {
        RequireMiner(p, 0);
        return JsonValue.Create(_available.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>go-state-types dline.Info at the head.</summary>
    private JsonObject ProvingDeadlineLocked(JsonElement p)
    {
        RequireMiner(p, 0);
        var period = WPoStChallengeWindow * WPoStPeriodDeadlines;
        var progress = (((_head - ProvingPeriodOffset) % period) + period) % period;
        var periodStart = _head - progress;
        var index = progress / WPoStChallengeWindow;
        var open = periodStart + (index * WPoStChallengeWindow);
        return new JsonObject
        {
            ["CurrentEpoch"] = _head,
            ["PeriodStart"] = periodStart,
            ["Index"] = index,
            ["Open"] = open,
            ["Close"] = open + WPoStChallengeWindow,
            ["Challenge"] = open - WPoStChallengeLookback,
            ["FaultCutoff"] = open - FaultDeclarationCutoff,
            ["WPoStPeriodDeadlines"] = WPoStPeriodDeadlines,
            ["WPoStProvingPeriod"] = period,
            ["WPoStChallengeWindow"] = WPoStChallengeWindow,
            ["WPoStChallengeLookback"] = WPoStChallengeLookback,
            ["FaultDeclarationCutoff"] = FaultDeclarationCutoff,
        };
    }

    /// <summary>Deterministic randomness per (kind, tag, epoch, entropy): blake2b-256 over them; every draw is recorded.</summary>
    private JsonValue RandomnessLocked(JsonElement p, bool beacon)
    {
        var tag = Int(p, 0, "domain separation tag");
        var epoch = Int(p, 1, "epoch");
        var entropyElement = Param(p, 2, "entropy");
        byte[] entropy = entropyElement.ValueKind switch
        {
            JsonValueKind.Null => [],
            JsonValueKind.String when entropyElement.TryGetBytesFromBase64(out var bytes) => bytes,
            _ => throw new RpcError(-32602, "unmarshaling params: entropy must be base64 bytes or null"),
        };
        var key = TipSetKey(p, 3);
        if (epoch > _head)
        {
            throw new RpcError(1, $"cannot draw randomness from the future (epoch {epoch}, head {_head})");
        }

        var randomness = DrawRandomness(beacon, tag, epoch, entropy);
        _draws.Enqueue(new RandomnessDraw(beacon, tag, epoch, entropy, key, randomness));
        return JsonValue.Create(Convert.ToBase64String(randomness));
    }

    /// <summary>
    /// Lotus node/impl/full/mpool.go MpoolPushMessage: resolve an ID sender to its key, estimate gas where zero, cap the
    /// fee at the spec's MaxFee, check the balance, assign the next nonce, sign, and put the message in the mempool.
    /// </summary>
    private JsonObject MpoolPushMessageLocked(JsonElement p)
    {
        var msg = Param(p, 0, "message");
        if (msg.ValueKind != JsonValueKind.Object)
        {
            throw new RpcError(-32602, "unmarshaling params for 'Filecoin.MpoolPushMessage' (param: *types.Message): not an object");
        }

        var version = msg.TryGetProperty("Version", out var v) ? Number(v, "Message.Version") : 0;
        if (version != 0)
        {
            throw new RpcError(1, $"MpoolPushMessage: message version {version} is not 0");
        }

        var to = AddressBytes(Field(msg, "To"), "Message.To");
        var fromGiven = AddressBytes(Field(msg, "From"), "Message.From");
        var value = Big(Field(msg, "Value"), "Message.Value");
        var method = (ulong)Number(Field(msg, "Method"), "Message.Method");
        var paramsElement = msg.TryGetProperty("Params", out var pe) ? pe : default;
        byte[] parameters = paramsElement.ValueKind switch
        {
            JsonValueKind.Undefined or JsonValueKind.Null => [],
            JsonValueKind.String when paramsElement.TryGetBytesFromBase64(out var bytes) => bytes,
            _ => throw new RpcError(-32602, "unmarshaling params: Message.Params must be base64 bytes or null"),
        };
        var gasLimit = msg.TryGetProperty("GasLimit", out var gl) ? Number(gl, "Message.GasLimit") : 0;
        var feeCap = msg.TryGetProperty("GasFeeCap", out var fc) ? Big(fc, "Message.GasFeeCap") : BigInteger.Zero;
        var premium = msg.TryGetProperty("GasPremium", out var gp) ? Big(gp, "Message.GasPremium") : BigInteger.Zero;

        BigInteger? maxFee = null;
        var maximizeFeeCap = false;
        if (p.GetArrayLength() > 1 && p[1].ValueKind == JsonValueKind.Object)
        {
            if (p[1].TryGetProperty("MaxFee", out var mf))
            {
                maxFee = Big(mf, "MessageSendSpec.MaxFee");
            }

            maximizeFeeCap = p[1].TryGetProperty("MaximizeFeeCap", out var mx) && mx.ValueKind == JsonValueKind.True;
        }

        var fromText = AddressText.ToText(fromGiven, Network);
        var from = ResolveKeyLocked(fromGiven) ?? throw Reject($"mpool push: getting key address for {fromText}: resolution lookup failed ({fromText}): actor not found");
        var toMiner = AddressText.IdOf(to) == MinerId;

        // Gas estimation runs the message (Lotus GasEstimateMessageGas); params the actor cannot decode fail it.
        IReadOnlyList<DecodedSectorPreCommit>? preCommits = null;
        (IReadOnlyList<DecodedSectorActivation> Activations, IReadOnlyList<byte[]> Proofs, byte[] Aggregate, long? AggregateType, bool RequireActivation, bool RequireNotification)? prove = null;
        Action? recordProving = null;
        string? pushedCid = null;
        if (toMiner)
        {
            try
            {
                if (method == MinerParamsDecoder.PreCommitSectorBatch2)
                {
                    preCommits = MinerParamsDecoder.DecodePreCommitSectorBatch2(parameters);
                }
                else if (method == MinerParamsDecoder.ProveCommitSectors3)
                {
                    prove = MinerParamsDecoder.DecodeProveCommitSectors3(parameters);
                }
                else
                {
                    recordProving = DecodeProvingAtPush(method, parameters, () => pushedCid!, AddressText.ToText(from, Network), AddressText.ToText(to, Network));
                }
            }
            catch (FormatException e)
            {
                throw Reject($"GasEstimateMessageGas error: estimating gas used: message execution failed (exit=[ErrSerialization(22)], vm error=[failed to decode params of method {method}: {e.Message}])");
            }
        }

        if (gasLimit == 0)
        {
            gasLimit = 20_000_000 + (20_000 * parameters.Length);
        }

        if (premium.IsZero)
        {
            premium = 100_000;
        }

        if (feeCap.IsZero)
        {
            feeCap = (BaseFee * 2) + premium;
        }

        // Lotus chain/messagepool capGasFee: the fee cap times the gas limit stays within MaxFee.
        if (maxFee is { } cap && !cap.IsZero)
        {
            if (maximizeFeeCap || feeCap * gasLimit > cap)
            {
                feeCap = cap / gasLimit;
                premium = BigInteger.Min(premium, feeCap);
            }
        }

        var required = value + (feeCap * gasLimit);
        var balance = BalanceLocked(from);
        if (balance < required)
        {
            throw Reject($"mpool push: not enough funds: {balance.ToString(CultureInfo.InvariantCulture)} < {required.ToString(CultureInfo.InvariantCulture)}");
        }

        var fromKey = Hex(from);
        var nonce = _nonces.GetValueOrDefault(fromKey);
        _nonces[fromKey] = nonce + 1;

        // Lotus chain/types Message MarshalCBOR: the 10-tuple (Version, To, From, Nonce, Value, GasLimit, GasFeeCap, GasPremium, Method, Params).
        var messageCbor = MessageCbor.Encode(to, from, nonce, value, gasLimit, feeCap, premium, method, parameters);
        var messageCid = CidText.OfDagCbor(messageCbor);
        var bls = from[0] == 3;
        var signature = bls ? [.. Synthetic("bls-sig " + Hex(messageCid), 64), .. Synthetic("bls-sig2 " + Hex(messageCid), 32)] : Synthetic("secp-sig " + Hex(messageCid), 64).Append((byte)0).ToArray();

        // A BLS message's signed CID is the message's own; a secp256k1 one is the CID of (Message, Signature bytes = type ‖ data).
        var signedCid = bls ? messageCid : CidText.OfDagCbor([.. new TupleCborWriter().Array(2).ToArray(), .. messageCbor, .. new TupleCborWriter().Bytes([1, .. signature]).ToArray()]);
        var cidText = CidText.Encode(signedCid);
        var fromKeyText = AddressText.ToText(from, Network);
        var toText = AddressText.ToText(to, Network);
        var pushed = new PushedMessage(cidText, fromKeyText, toText, nonce, value, method, parameters, gasLimit, feeCap, premium, maxFee);
        var state = new MessageState(pushed);
        _messages[cidText] = state;
        _mempool.Add(state);
        _pushed.Enqueue(pushed);
        MessagePushed?.Invoke(pushed);
        if (preCommits is not null)
        {
            _preCommitBatches.Enqueue(new DecodedPreCommitBatch(cidText, fromKeyText, toText, value, gasLimit, feeCap, premium, maxFee, parameters, preCommits));
        }

        pushedCid = cidText;
        recordProving?.Invoke();
        if (prove is { } pc)
        {
            _proveCommits.Enqueue(new DecodedProveCommit(cidText, fromKeyText, toText, value, gasLimit, feeCap, premium, maxFee, parameters,
                pc.Activations, pc.Proofs, pc.Aggregate, pc.AggregateType, pc.RequireActivation, pc.RequireNotification));
        }

        Pulse();
        var message = new JsonObject
        {
            ["Version"] = 0,
            ["To"] = toText,
            ["From"] = fromKeyText,
            ["Nonce"] = nonce,
            ["Value"] = value.ToString(CultureInfo.InvariantCulture),
            ["GasLimit"] = gasLimit,
            ["GasFeeCap"] = feeCap.ToString(CultureInfo.InvariantCulture),
            ["GasPremium"] = premium.ToString(CultureInfo.InvariantCulture),
            ["Method"] = method,
            ["Params"] = parameters.Length == 0 ? null : Convert.ToBase64String(parameters),
            ["CID"] = CidNode(CidText.Encode(messageCid)),
        };
        return new JsonObject
        {
            ["Message"] = message,
            ["Signature"] = new JsonObject { ["Type"] = bls ? 2 : 1, ["Data"] = Convert.ToBase64String(signature) },
            ["CID"] = CidNode(cidText),
        };
    }

    private RpcError Reject(string reason)
    {
        _rejections.Enqueue(reason);
        return new RpcError(1, reason);
    }

    /// <summary>go-bitfield rle.MarshalJSON: run lengths alternating absent, present, starting with an absent run; <c>[0]</c> when empty.</summary>
    public static IReadOnlyList<ulong> RleRuns(IEnumerable<ulong> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var runs = new List<ulong>();
        ulong position = 0;
        foreach (var m in members.Distinct().Order())
        {
            if (runs.Count > 0 && m == position)
            {
                runs[^1]++;
            }
            else
            {
                runs.Add(m - position);
                runs.Add(1);
            }

            position = m + 1;
        }

        return runs.Count == 0 ? [0] : runs;
    }

    private void RequireMiner(JsonElement p, int index)
    {
        var address = Address(p, index, "miner address");
        if (AddressText.IdOf(address) != MinerId)
        {
            throw new RpcError(1, $"failed to load miner actor: load state tree: actor {AddressText.ToText(address, Network)} not found");
        }
    }

    private static JsonElement Param(JsonElement p, int index, string what)
    {
        if (p.ValueKind != JsonValueKind.Array || p.GetArrayLength() <= index)
        {
            throw new RpcError(-32602, $"wrong param count: {what} (param {index}) missing");
        }

        return p[index];
    }

    private static JsonElement Field(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) ? value : throw new RpcError(-32602, $"unmarshaling params: message field {name} missing");

    private static byte[] Address(JsonElement p, int index, string what) => AddressBytes(Param(p, index, what), what);

    private static byte[] AddressBytes(JsonElement e, string what)
    {
        try
        {
            return e.ValueKind == JsonValueKind.String ? AddressText.ToBytes(e.GetString()!) : throw new FormatException("not a JSON string");
        }
        catch (FormatException ex)
        {
            throw new RpcError(-32602, $"unmarshaling params: {what}: {ex.Message}");
        }
    }

    private static ulong UInt(JsonElement p, int index, string what)
    {
        var e = Param(p, index, what);
        return e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out var value) ? value : throw new RpcError(-32602, $"unmarshaling params: {what} must be an unsigned integer, got {e.GetRawText()}");
    }

    private static long Int(JsonElement p, int index, string what) => Number(Param(p, index, what), what);

    private static long Number(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var value) ? value : throw new RpcError(-32602, $"unmarshaling params: {what} must be an integer, got {e.GetRawText()}");

    /// <summary>A Lotus types.BigInt: a JSON string of decimal digits.</summary>
    private static BigInteger Big(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } s && s.TrimStart('-').All(char.IsAsciiDigit) && BigInteger.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new RpcError(-32602, $"unmarshaling params: {what} must be a decimal string, got {e.GetRawText()}");

    private static string Cid(JsonElement e, string what)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("/", out var text) || text.ValueKind != JsonValueKind.String)
        {
            throw new RpcError(-32602, $"unmarshaling params: {what} must be {{\"/\": cid}}, got {e.GetRawText()}");
        }

        try
        {
            _ = CidText.Decode(text.GetString()!);
            return text.GetString()!;
        }
        catch (FormatException ex)
        {
            throw new RpcError(-32602, $"unmarshaling params: {what}: {ex.Message}");
        }
    }

    /// <summary>A tipset key param: an array of CIDs, or null / empty for the head.</summary>
    private static IReadOnlyList<string> TipSetKey(JsonElement p, int index)
    {
        var e = Param(p, index, "tipset key");
        return e.ValueKind switch
        {
            JsonValueKind.Null => [],
            JsonValueKind.Array => [.. e.EnumerateArray().Select(c => Cid(c, "tipset key CID"))],
            _ => throw new RpcError(-32602, $"unmarshaling params: tipset key must be an array of CIDs, got {e.GetRawText()}"),
        };
    }

    private static JsonObject CidNode(string cid) => new() { ["/"] = cid };

    /// <summary>A JSON-RPC error to answer; code 1 is what go-jsonrpc answers for a method's own error.</summary>
    private sealed class RpcError(int code, string message) : Exception(message)
    {
        public int Code { get; } = code;
    }
}
