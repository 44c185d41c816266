using System.Reflection;
using Kiln.Api.Logging;
using Microsoft.Extensions.Logging;

namespace Kiln.Testing;

/// <summary>
/// Checks the <c>[LoggerMessage]</c> methods of the assemblies one process loads against <see cref="LogEvents"/>:
/// every id unique in the process, inside its namespace's area, and every message with an <c>EventName</c>.
/// </summary>
public static class LogEventIds
{
    /// <summary>One <c>[LoggerMessage]</c> method: where it is declared and what its attribute says.</summary>
    public sealed record Message(string Method, string? Namespace, int EventId, string? EventName);

    /// <summary>Every <c>[LoggerMessage]</c> method declared in <paramref name="assemblies"/>.</summary>
    public static IReadOnlyList<Message> Find(params Assembly[] assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        return
        [
            .. from assembly in assemblies
               from type in assembly.GetTypes()
               from method in type.GetMethods(All)
               let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
               where attribute is not null
               orderby attribute.EventId
               select new Message($"{type.FullName}.{method.Name}", type.Namespace, attribute.EventId, attribute.EventName),
        ];
    }

    /// <summary>What is wrong with the messages of one process made of <paramref name="assemblies"/>: one line per problem.</summary>
    public static IReadOnlyList<string> Problems(params Assembly[] assemblies)
    {
        var messages = Find(assemblies);
        var problems = new List<string>();
        foreach (var m in messages)
        {
            if (string.IsNullOrWhiteSpace(m.EventName))
            {
                problems.Add($"{m.Method}: no EventName");
            }

            var area = LogEvents.AreaOf(m.Namespace);
            if (area is null)
            {
                problems.Add($"{m.Method}: namespace {m.Namespace} is in no area of LogEvents");
            }
            else if (!area.Contains(m.EventId))
            {
                problems.Add($"{m.Method}: event id {m.EventId} is outside {area.Namespace}'s {area.First}–{area.Last}");
            }
        }

        foreach (var same in messages.GroupBy(m => m.EventId).Where(g => g.Count() > 1))
        {
            problems.Add($"event id {same.Key} is used by {string.Join(", ", same.Select(m => m.Method))}");
        }

        return problems;
    }
}
