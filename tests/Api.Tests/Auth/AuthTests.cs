using System.Text;
using System.Text.Json.Nodes;
using Kiln.Api.Auth;
using Kiln.Api.Tests.JsonRpc;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Api.Tests.Auth;

public sealed class LotusTokenTests
{
    private static readonly byte[] Secret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void Token_segments_match_lotus_byte_for_byte()
    {
        var token = LotusToken.Create(Secret, Permission.All);
        var parts = token.Split('.');
        Assert.Equal("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", parts[0]);
        Assert.Equal("eyJBbGxvdyI6WyJyZWFkIiwid3JpdGUiLCJzaWduIiwiYWRtaW4iXX0", parts[1]);
        Assert.Equal("{\"Allow\":[\"admin\"]}", Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(LotusToken.Create(Secret, [Permission.Admin]).Split('.')[1])));
        var mac = System.Security.Cryptography.HMACSHA256.HashData(Secret, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        Assert.Equal(System.Buffers.Text.Base64Url.EncodeToString(mac), parts[2]);
        Assert.DoesNotContain('=', token);
    }

    [Fact]
    public void Verify_returns_the_allow_list()
    {
        Assert.Equal(Permission.All, LotusToken.Verify(Secret, LotusToken.Create(Secret, Permission.All)));
        Assert.Equal([Permission.Admin], LotusToken.Verify(Secret, LotusToken.Create(Secret, [Permission.Admin])));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b")]
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJBbGxvdyI6WyJhZG1pbiJdfQ.AAAA")]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJBbGxvdyI6WyJhZG1pbiJdfQ.")]
    public void Bad_tokens_fail_with_lotus_message(string token)
    {
        var ex = Assert.Throws<AuthVerificationException>(() => LotusToken.Verify(Secret, token));
        Assert.StartsWith("JWT Verification failed: ", ex.Message);
    }

    [Fact]
    public void Exp_claim_is_written_and_honoured_to_the_second()
    {
        var exp = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var token = LotusToken.Create(Secret, [Permission.Read], exp);
        Assert.Equal("{\"Allow\":[\"read\"],\"exp\":1893553445}", Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1])));

        Assert.Equal([Permission.Read], LotusToken.Verify(Secret, token, new FakeTimeProvider(exp.AddSeconds(-1))));
        var ex = Assert.Throws<AuthVerificationException>(() => LotusToken.Verify(Secret, token, new FakeTimeProvider(exp)));
        Assert.Equal("JWT Verification failed: jwt: token expired at 2030-01-02T03:04:05Z: create a new one (kiln-miner auth create-token)", ex.Message);
        // Lotus's own tokens carry no exp and never expire.
        Assert.Equal(Permission.All, LotusToken.Verify(Secret, LotusToken.Create(Secret, Permission.All), new FakeTimeProvider(DateTimeOffset.MaxValue)));
    }

    [Fact]
    public void A_non_numeric_exp_is_refused()
    {
        var payload = System.Buffers.Text.Base64Url.EncodeToString("{\"Allow\":[\"admin\"],\"exp\":\"never\"}"u8);
        var input = LotusToken.HeaderSegment + "." + payload;
        var mac = System.Security.Cryptography.HMACSHA256.HashData(Secret, Encoding.ASCII.GetBytes(input));
        var ex = Assert.Throws<AuthVerificationException>(() => LotusToken.Verify(Secret, input + "." + System.Buffers.Text.Base64Url.EncodeToString(mac)));
        Assert.Contains("\"exp\" is not a number", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Token_from_another_secret_fails()
    {
        var other = LotusToken.Create(new byte[32], Permission.All);
        Assert.Throws<AuthVerificationException>(() => LotusToken.Verify(Secret, other));
        var tampered = LotusToken.Create(Secret, [Permission.Read]).Split('.');
        tampered[1] = "eyJBbGxvdyI6WyJhZG1pbiJdfQ";
        Assert.Throws<AuthVerificationException>(() => LotusToken.Verify(Secret, string.Join('.', tampered)));
    }
}

public sealed class ApiSecretTests
{
    [Fact]
    public void Keystore_file_name_is_unpadded_base32_of_the_key_name()
    {
        Assert.Equal("MF2XI2BNNJ3XILLQOJUXMYLUMU", Base32(Encoding.ASCII.GetBytes(ApiSecret.KeyName)));
        Assert.Equal("MF2XI2BNNJ3XILLQOJUXMYLUMU", ApiSecret.KeystoreFileName);
    }

    [Fact]
    public void Keystore_entry_round_trips_as_lotus_key_info()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kiln-keystore-" + Guid.NewGuid().ToString("N"));
        try
        {
            var created = ApiSecret.LoadOrCreate(dir);
            Assert.Equal(32, created.Key.Length);
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "MF2XI2BNNJ3XILLQOJUXMYLUMU")))!;
            Assert.Equal("jwt-hmac-secret", (string?)json["Type"]);
            Assert.Equal(created.Key.ToArray(), Convert.FromBase64String((string)json["PrivateKey"]!));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, ApiSecret.KeystoreFileName)));
            }

            var loaded = ApiSecret.LoadOrCreate(dir);
            Assert.Equal(Permission.All, loaded.Verify(created.CreateToken(Permission.All)));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Generated_secrets_differ()
    {
        Assert.NotEqual(ApiSecret.Generate().Key.ToArray(), ApiSecret.Generate().Key.ToArray());
        Assert.Throws<FormatException>(() => ApiSecret.FromKeyInfoJson("""{"Type":"bls","PrivateKey":"AAAA"}"""));
    }

    private static string Base32(byte[] data)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var sb = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            sb.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return sb.ToString();
    }
}

public sealed class ApiInfoTests
{
    [Theory]
    [InlineData("eyJh.eyJB.sig:/ip4/10.0.0.1/tcp/2345/http", "eyJh.eyJB.sig", "/ip4/10.0.0.1/tcp/2345/http")]
    [InlineData("/ip4/127.0.0.1/tcp/3456", null, "/ip4/127.0.0.1/tcp/3456")]
    [InlineData("http://10.0.0.1:2345", null, "http://10.0.0.1:2345")]
    [InlineData("tok:http://10.0.0.1:2345", "tok", "http://10.0.0.1:2345")]
    public void Parses_token_and_address(string text, string? token, string address)
    {
        var info = ApiInfo.Parse(text);
        Assert.Equal(token, info.Token);
        Assert.Equal(address, info.Address);
        Assert.Equal(text, info.ToString());
    }

    [Theory]
    [InlineData("/ip4/1.2.3.4/tcp/2345/http", "ws://1.2.3.4:2345/rpc/v0", "http://1.2.3.4:2345/rpc/v0")]
    [InlineData("/ip4/1.2.3.4/tcp/2345", "ws://1.2.3.4:2345/rpc/v0", "http://1.2.3.4:2345/rpc/v0")]
    [InlineData("/ip4/1.2.3.4/tcp/443/wss", "wss://1.2.3.4/rpc/v0", "https://1.2.3.4/rpc/v0")]
    [InlineData("/dns4/miner.local/tcp/2345/ws", "ws://miner.local:2345/rpc/v0", "http://miner.local:2345/rpc/v0")]
    [InlineData("/ip6/::1/tcp/2345/http", "ws://[::1]:2345/rpc/v0", "http://[::1]:2345/rpc/v0")]
    [InlineData("/ip4/1.2.3.4/tcp/2345/tls/ws", "wss://1.2.3.4:2345/rpc/v0", "https://1.2.3.4:2345/rpc/v0")]
    public void Multiaddr_becomes_urls(string multiaddr, string dial, string http)
    {
        var info = new ApiInfo("t", multiaddr);
        Assert.Equal(new Uri(dial), info.DialUrl());
        Assert.Equal(new Uri(http), info.HttpUrl());
        Assert.Equal("Bearer t", info.AuthorizationHeader);
    }

    [Fact]
    public void Bad_multiaddrs_are_rejected()
    {
        Assert.Throws<FormatException>(() => new ApiInfo(null, "/ip4/1.2.3.4").DialUrl());
        Assert.Throws<FormatException>(() => new ApiInfo(null, "/ip4/1.2.3.4/udp/1/quic").DialUrl());
    }

    [Fact]
    public void Miner_info_falls_back_to_the_deprecated_variable()
    {
        var env = new Dictionary<string, string> { ["STORAGE_API_INFO"] = "a.b.c:/ip4/1.1.1.1/tcp/1" };
        Assert.Equal("a.b.c", ApiInfo.ForMiner(k => env.GetValueOrDefault(k))!.Token);
        env["MINER_API_INFO"] = "d.e.f:/ip4/1.1.1.1/tcp/1";
        Assert.Equal("d.e.f", ApiInfo.ForMiner(k => env.GetValueOrDefault(k))!.Token);
        Assert.Null(ApiInfo.FromVariables(k => null, ApiInfo.WorkerEnvironmentVariable, ApiInfo.FullNodeEnvironmentVariable));
    }
}

/// <summary>go-jsonrpc auth/handler.go <c>Handler.ServeHTTP</c> and auth.go <c>HasPerm</c> through the real pipeline: transport rules, exact-membership permissions, pluggable verifier.</summary>
public sealed class AuthPipelineTests : IAsyncLifetime
{
    private readonly ApiSecret _secret = ApiSecret.Generate();
    private RpcTestHost _host = null!;

    public async Task InitializeAsync() => _host = await RpcTestHost.StartAsync(LotusAuthenticator.FromSecret(_secret));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private const string WorkerConnect = """{"jsonrpc":"2.0","method":"Filecoin.WorkerConnect","params":["http://10.0.0.2:3456/rpc/v0"],"id":1}""";
    private const string Add = """{"jsonrpc":"2.0","method":"Filecoin.Add","params":[1,2],"id":1}""";

    [Fact]
    public async Task Header_without_bearer_prefix_is_401_with_empty_body()
    {
        var (status, body, _) = await _host.PostAsync(Add, "Token abc");
        Assert.Equal((401, ""), (status, body));
    }

    [Fact]
    public async Task Invalid_token_is_401()
    {
        var (status, body, _) = await _host.PostAsync(Add, "Bearer " + ApiSecret.Generate().CreateToken(Permission.All));
        Assert.Equal((401, ""), (status, body));
        (status, _, _) = await _host.PostAsync(Add, path: "/rpc/v0?token=nonsense");
        Assert.Equal(401, status);
    }

    [Fact]
    public async Task No_token_gets_read_only()
    {
        var (status, body, _) = await _host.PostAsync(Add);
        Assert.Equal((200, "{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":3}\n"), (status, body));
        (status, body, _) = await _host.PostAsync(WorkerConnect);
        Assert.Equal(200, status);
        Assert.Equal("{\"error\":{\"code\":1,\"message\":\"missing permission to invoke 'WorkerConnect' (need 'admin')\"},\"id\":1,\"jsonrpc\":\"2.0\"}\n", body);
        Assert.Null(_host.Api.LastUrl);
    }

    [Fact]
    public async Task Permissions_are_exact_membership()
    {
        var admin = _secret.CreateToken([Permission.Admin]);
        var (status, body, _) = await _host.PostAsync(WorkerConnect, "Bearer " + admin);
        Assert.Equal((200, "{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":null}\n"), (status, body));
        Assert.Equal("http://10.0.0.2:3456/rpc/v0", _host.Api.LastUrl);
        (status, body, _) = await _host.PostAsync(Add, "Bearer " + admin);
        Assert.Equal(200, status);
        Assert.Contains("missing permission to invoke 'Add' (need 'read')", body);
    }

    /// <summary>Regression: a query-string token (which lands in request logs) used to be accepted.</summary>
    [Fact]
    public async Task Query_token_is_refused_even_beside_a_good_header()
    {
        var admin = _secret.CreateToken(Permission.All);
        var (status, body, _) = await _host.PostAsync(WorkerConnect, path: "/rpc/v0?token=" + admin);
        Assert.Equal((401, LotusAuthenticator.QueryTokenRefused), (status, body));
        (status, body, _) = await _host.PostAsync(WorkerConnect, "Bearer " + admin, path: "/rpc/v0?token=" + admin);
        Assert.Equal((401, LotusAuthenticator.QueryTokenRefused), (status, body));
        Assert.Null(_host.Api.LastUrl);
    }

    [Fact]
    public async Task An_expired_token_gets_401_saying_so_and_an_unexpired_one_works()
    {
        var now = TimeProvider.System.GetUtcNow();
        var (status, body, _) = await _host.PostAsync(WorkerConnect, "Bearer " + _secret.CreateToken(Permission.All, now.AddMinutes(10)));
        Assert.Equal((200, "{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":null}\n"), (status, body));

        var expiredAt = now.AddMinutes(-10);
        (status, body, _) = await _host.PostAsync(WorkerConnect, "Bearer " + _secret.CreateToken(Permission.All, expiredAt));
        Assert.Equal(401, status);
        Assert.StartsWith($"JWT Verification failed: jwt: token expired at {expiredAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verifier_is_pluggable()
    {
        var seen = new List<string>();
        var auth = new LotusAuthenticator((token, _) =>
        {
            seen.Add(token);
            return token == "remote-ok" ? ValueTask.FromResult<IReadOnlyList<string>>([Permission.Admin]) : throw new Kiln.Api.JsonRpc.RpcException(1, "JWT Verification failed: nope");
        });
        await using var host = await RpcTestHost.StartAsync(auth);
        Assert.Equal(200, (await host.PostAsync(WorkerConnect, "Bearer remote-ok")).Status);
        Assert.Equal(401, (await host.PostAsync(WorkerConnect, "Bearer other")).Status);
        Assert.Equal(["remote-ok", "other"], seen);
    }

    [Fact]
    public async Task WebSocket_takes_the_token_too()
    {
        using var ws = await _host.ConnectWebSocketAsync(_secret.CreateToken([Permission.Admin]));
        await RpcTestHost.SendTextAsync(ws, WorkerConnect);
        Assert.Equal("{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":null}\n", await RpcTestHost.ReceiveTextAsync(ws));
    }
}
