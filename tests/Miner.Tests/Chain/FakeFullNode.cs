using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kiln.Miner.Tests.Chain;

/// <summary>
/// A stand-in Lotus full node on a loopback Kestrel port: <c>POST /rpc/v1</c> answers the methods sealing and
/// proving call with the example responses of Lotus's API docs (documentation/en/api-methods-v1-stable.md) unless a test
/// sets others, serves scripted chain heads, checks the bearer token, and records every call's params.
/// </summary>
internal sealed class FakeFullNode : IAsyncDisposable
{
    public const string Token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJBbGxvdyI6WyJyZWFkIl19.fake-full-node";

    /// <summary>The documented <c>Filecoin.ChainHead</c> example (one block).</summary>
    public const string ChainHeadExample = """
        {
          "Cids": [{ "/": "bafy2bzacedo7hjsumaajt6sbor42qycvjyk6goqe4oi4o4ddsjxkdeqrqf42c" }],
          "Blocks": [
            {
              "Miner": "f01938223",
              "Ticket": { "VRFProof": "rIPyBy+F827Szc5oN/6ylCmpzxfAWr7aI5F4YJrN4pLSyknkcJI3ivsCo2KKjQVZFRnFyEus1maD5LdzQpnFRKMla4138qEuML+Ne/fsgOMrUEAeL34ceVwJd+Mt4Jrz" },
              "ElectionProof": { "WinCount": 1, "VRFProof": "sN51JqjZNf+xWxwoo+wlMH1bpXI9T3wUIrla6FpwTxU4jC1z+ab5NFU/B2ZdDITTE+u8qaiibtLkld5lhNcOEOUqwKNyJ4nwFo5vAhWqvOTNdOiZmxsKpWG0NZUoXb/+" },
              "BeaconEntries": [
                { "Round": 17133822, "Data": "tH4q8euIaP9/QRJt8ALfkBvttSmQ/DOAt8+37wGGV5f8kkhzEFrHhskitNnPS70j" },
                { "Round": 17133832, "Data": "uQD5cEn8U69+sPjpccT8Bm0jVrnXLScf2jBkLJNHvAHLA6tPsZDREzpBIckpVvPy" }
              ],
              "WinPoStProof": [{ "PoStProof": 3, "ProofBytes": "qOPLMhMui8qm/rE2y/UceyBDv5JvRCH5Fc5Ul+kuN190XDcMme5eKURUCmE2sN1HoQ2dMZX+xNZY351dbG93H/tUr6wuNhkvmemi2Xi62YvqU36/kJh+K2YBiW7h/4LXCUTP/6XAOONOPl+j9GqS7RQxruPLfIyehvzVC0C8dB8+SVWtAnRKRPUUOPJvyHKejlrCyzWXOz/I7JG2/qEGLD0xwazBVwML1vVvuE5NzXeOoQGlnB2PwSRb5Cn8FH8Q" }],
              "Parents": [
                { "/": "bafy2bzaceba2kdmysmi5ieugzvv5np7f2lobayzpvtk777du74n7jq6xhynda" },
                { "/": "bafy2bzacecrye24tkqrvvddcf62gfi4z4o33z2tdedbpaalordozaxfrz2jyi" },
                { "/": "bafy2bzaceab5mrohjvnp3mz7mo33ky7qqlmssrs7veqmjrgouafxyhnd5dy66" }
              ],
              "ParentWeight": "116013147118",
              "Height": 4863283,
              "ParentStateRoot": { "/": "bafy2bzaceajxzsvzuq3ddzxfrs2jlaxsooqmgdy5uxbqujnjy3y56iumzzy7u" },
              "ParentMessageReceipts": { "/": "bafy2bzacecfcx2ykqucyv3gkyrcy3upwrvdraz3ktfg7phkqysefdwsggglac" },
              "Messages": { "/": "bafy2bzacebzofmh6migvc4v6qsme6vuxlhi6pv2ocy4apyic3uihjqm7dum3u" },
              "BLSAggregate": { "Type": 2, "Data": "krFATGA0OBu/kFwtXsThVtKCkppnU7045uTURCeiOeJttxuXfx3wqJrLkCytnJFWFLVC+tiVWI4BxC3wqc9r6eAlNr9dEBx+3KwML/RFG/b5grmknLpGWn7g1EB/2T4y" },
              "Timestamp": 1744204890,
              "BlockSig": { "Type": 2, "Data": "pWiUr+M8xxTxLED7GuU586gSfZCaHyLbLj0uS0HhKYRtHuyG47fIrfIT/04OCmQvEXBD8pFraWbMc3tnFrSsM1mIBJ5M38UPUfXDSspo+QGdouo2kll2X+VNKY3ajb1K" },
              "ForkSignaling": 0,
              "ParentBaseFee": "20592036"
            }
          ],
          "Height": 4863283
        }
        """;

    public const string HeadCid = "bafy2bzacedo7hjsumaajt6sbor42qycvjyk6goqe4oi4o4ddsjxkdeqrqf42c";

    /// <summary>The documented <c>Filecoin.StateMinerProvingDeadline</c> example.</summary>
    public const string ProvingDeadlineExample = """
        {"CurrentEpoch":10101,"PeriodStart":10101,"Index":42,"Open":10101,"Close":10101,"Challenge":10101,"FaultCutoff":10101,
         "WPoStPeriodDeadlines":42,"WPoStProvingPeriod":10101,"WPoStChallengeWindow":10101,"WPoStChallengeLookback":10101,"FaultDeclarationCutoff":10101}
        """;

    /// <summary>The documented <c>Filecoin.StateMinerPartitions</c> example: one partition, every set {5}.</summary>
    public const string PartitionsExample = """
        [{"AllSectors":[5,1],"FaultySectors":[5,1],"RecoveringSectors":[5,1],"LiveSectors":[5,1],"ActiveSectors":[5,1]}]
        """;

    /// <summary>The documented <c>Filecoin.StateGetRandomnessFromBeacon</c> example.</summary>
    public const string RandomnessExample = "\"Bw==\"";

    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly Queue<long> _heads = new();

    private FakeFullNode(WebApplication app) => _app = app;

    /// <summary>Every call: method and params.</summary>
    public ConcurrentQueue<(string Method, JsonElement Params)> Calls { get; } = new();

    /// <summary>Result JSON per method, replacing the documented example.</summary>
    public ConcurrentDictionary<string, string> Results { get; } = new();

    /// <summary>Result JSON by method and params, asked before <see cref="Results"/>; null to fall through.</summary>
    public Func<string, JsonElement, string?>? Answer { get; set; }

    /// <summary>Methods that answer a JSON-RPC error (code 1, this message), as Lotus answers a failed call.</summary>
    public ConcurrentDictionary<string, string> Errors { get; } = new();

    public int Port { get; private set; }

    /// <summary><c>FULLNODE_API_INFO</c> for this node.</summary>
    public string ApiInfo => Token + ":/ip4/127.0.0.1/tcp/" + Port.ToString(CultureInfo.InvariantCulture) + "/http";

    public static async Task<FakeFullNode> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var node = new FakeFullNode(app);
        app.MapPost("/rpc/v1", node.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        node.Port = new Uri(address).Port;
        return node;
    }

    /// <summary>Heads the next ChainHead calls answer, one each; the last one stays.</summary>
    public void ScriptHeads(params long[] heights)
    {
        lock (_lock)
        {
            _heads.Clear();
            foreach (var h in heights)
            {
                _heads.Enqueue(h);
            }
        }
    }

    public IReadOnlyList<JsonElement> ParamsOf(string method) => [.. Calls.Where(c => c.Method == method).Select(c => c.Params)];

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization != "Bearer " + Token)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        using var request = await JsonDocument.ParseAsync(context.Request.Body);
        var root = request.RootElement;
        var method = root.GetProperty("method").GetString()!;
        var id = root.GetProperty("id").GetRawText();
        Calls.Enqueue((method, root.GetProperty("params").Clone()));

        string body;
        if (Errors.TryGetValue(method, out var error))
        {
            body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":1,\"message\":" + JsonSerializer.Serialize(error) + "}}";
        }
        else if ((Answer?.Invoke(method, root.GetProperty("params")) is { } result) || Results.TryGetValue(method, out result) || (result = Example(method)) is not null)
        {
            body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}";
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":-32601,\"message\":\"method '" + method + "' not found\"}}";
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    private string? Example(string method) => method switch
    {
        "Filecoin.ChainHead" => Head(),
        "Filecoin.StateMinerProvingDeadline" => ProvingDeadlineExample,
        "Filecoin.StateMinerPartitions" => PartitionsExample,
        "Filecoin.StateGetRandomnessFromBeacon" or "Filecoin.StateGetRandomnessFromTickets" => RandomnessExample,
        _ => null,
    };

    /// <summary>The documented head, at the next scripted height if any.</summary>
    private string Head()
    {
        long? height;
        lock (_lock)
        {
            height = _heads.Count switch
            {
                0 => null,
                1 => _heads.Peek(),
                _ => _heads.Dequeue(),
            };
        }

        if (height is null)
        {
            return ChainHeadExample;
        }

        var head = JsonNode.Parse(ChainHeadExample)!;
        head["Height"] = height;
        head["Blocks"]![0]!["Height"] = height;
        return head.ToJsonString();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
