using System.Reflection;
using System.Text.Json;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Tests.Types;

/// <summary>
/// Every per-method example of Lotus's API docs that <see cref="LotusDocVectors"/> carries (documentation/en/api-methods-worker.md
/// and api-methods-miner.md): the C# value of each
/// param and result, typed as the interface method declares it, serializes to exactly the documented JSON (key order
/// included, whitespace aside), and the documented JSON deserializes back to a value that serializes the same.
/// </summary>
public sealed class DocVectorTests
{
    public static TheoryData<string> Methods => [.. LotusDocVectors.All.Select(v => $"{v.Api}.{v.Method}")];

    [Theory]
    [MemberData(nameof(Methods))]
    public void Params_match_the_docs_and_round_trip(string key)
    {
        var (method, vector) = Find(key);
        using var doc = JsonDocument.Parse(vector.Params);
        var documented = doc.RootElement.ValueKind == JsonValueKind.Null ? [] : doc.RootElement.EnumerateArray().ToArray();
        var parameters = WireParameters(method);
        var examples = DocExamples.Params[key];

        Assert.Equal(documented.Length, parameters.Length);
        Assert.Equal(documented.Length, examples.Length);
        for (var i = 0; i < parameters.Length; i++)
        {
            var type = parameters[i].ParameterType;
            if (ReferenceEquals(examples[i], DocExamples.Reader))
            {
                Assert.Equal(typeof(Stream), type);
                Assert.Equal("{}", JsonText.Compact(documented[i]));
                continue;
            }

            AssertSameJson(JsonText.Compact(documented[i]), examples[i], type, $"{key} param {i} ({parameters[i].Name})");
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Result_matches_the_docs_and_round_trips(string key)
    {
        var (method, vector) = Find(key);
        var expected = JsonText.Compact(vector.Result.Replace("\"<Appendix RT>\"", LotusDocVectors.ResourceTable, StringComparison.Ordinal));
        if (method.ReturnType == typeof(Task))
        {
            // Error-only Go methods: docgen prints {} (the wire carries "result":null, the engine's business).
            Assert.Equal("{}", expected);
            Assert.False(DocExamples.Results.ContainsKey(key));
            return;
        }

        var type = method.ReturnType.GetGenericArguments()[0];
        AssertSameJson(expected, DocExamples.Results[key], type, $"{key} result");
    }

    [Fact]
    public void Every_vector_has_an_example_and_nothing_else_does()
    {
        var keys = LotusDocVectors.All.Select(v => $"{v.Api}.{v.Method}").ToHashSet();
        Assert.Equal(85, keys.Count);
        Assert.Equal(keys.Order(), DocExamples.Params.Keys.Order());
        Assert.Empty(DocExamples.Results.Keys.Except(keys));
    }

    [Fact]
    public void The_resource_table_keeps_the_docs_order_which_is_go_map_order()
    {
        var table = JsonSerializer.Deserialize<IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>>>(
            LotusDocVectors.ResourceTable, ApiJson.Options)!;

        Assert.Equal(LotusDocVectors.ResourceTable.Trim(), JsonSerializer.Serialize(table, ApiJson.Options));
        Assert.Equal(14, table.Count); // no entry for FIN, FUS, FRU, DL (Lotus schedules those with fixed costs)
        Assert.Equal(15, table[TaskType.PreCommit1].Count);
        Assert.Equal(new Resources(60129542144, 68719476736, 0, 1, 0, 10485760, 0), table[TaskType.PreCommit1][RegisteredSealProof.StackedDrg32GiBV1_1]);
    }

    private static void AssertSameJson(string expected, object? example, Type type, string what)
    {
        var written = JsonSerializer.Serialize(example, type, ApiJson.Options);
        Assert.True(expected == written, $"{what}:\n expected {expected}\n written  {written}");

        var back = JsonSerializer.Deserialize(expected, type, ApiJson.Options);
        var rewritten = JsonSerializer.Serialize(back, type, ApiJson.Options);
        Assert.True(expected == rewritten, $"{what} round trip:\n expected {expected}\n written  {rewritten}");
    }

    private static (MethodInfo Method, (string Api, string Method, string Params, string Result) Vector) Find(string key)
    {
        var vector = LotusDocVectors.All.Single(v => $"{v.Api}.{v.Method}" == key);
        var api = vector.Api == "Worker" ? typeof(IWorkerApi) : typeof(IMinerStorageApi);
        var method = api.GetMethod(vector.Method + "Async");
        Assert.True(method is not null, $"{api.Name} has no {vector.Method}Async");
        return (method, vector);
    }

    private static ParameterInfo[] WireParameters(MethodInfo method) =>
        [.. method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken))];
}
