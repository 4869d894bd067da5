//! Recursive-descent parser: tokens to [`Node`], following XPath 1.0 precedence
//! (`or` < `and` < equality < relational < additive < multiplicative < unary).

use super::ast::{BinOp, Func, Node};
use super::error::{ExprError, ExprErrorKind};
use super::lexer::{Tok, Token};

/// Nesting limit: deeper input is refused instead of overflowing the stack.
const MAX_DEPTH: usize = 64;

pub(crate) struct Parser<'a> {
    toks: &'a [Token],
    at: usize,
    end_pos: usize,
    depth: usize,
    allow_choice_columns: bool,
    /// Inside `[…]`: bare names are questions of the filtered instance.
    in_predicate: usize,
    /// Inside `instance('x')/root/item[…]`: bare names are the row's columns.
    in_instance: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(toks: &'a [Token], end_pos: usize, allow_choice_columns: bool) -> Self {
        Self { toks, at: 0, end_pos, depth: 0, allow_choice_columns, in_predicate: 0, in_instance: 0 }
    }

    pub(crate) fn parse_all(mut self) -> Result<Node, ExprError> {
        if self.toks.is_empty() {
            return Err(ExprError::new(0, ExprErrorKind::Empty));
        }
        let node = self.expr()?;
        if let Some(t) = self.peek() {
            return Err(self.unexpected(t.clone(), "un operador o el final"));
        }
        Ok(node)
    }

    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.at)
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn unexpected(&self, t: Token, expected: &'static str) -> ExprError {
        ExprError::new(t.pos, ExprErrorKind::Unexpected { expected, found: describe(&t.kind) })
    }

    fn expect(&mut self, want: Tok, expected: &'static str) -> Result<(), ExprError> {
        match self.bump() {
            Some(t) if t.kind == want => Ok(()),
            Some(t) => Err(self.unexpected(t, expected)),
            None => Err(ExprError::new(self.end_pos, ExprErrorKind::UnexpectedEnd)),
        }
    }

    fn expr(&mut self) -> Result<Node, ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let pos = self.peek().map_or(self.end_pos, |t| t.pos);
            return Err(ExprError::new(pos, ExprErrorKind::TooDeep));
        }
        let node = self.binary(0);
        self.depth -= 1;
        node
    }

    /// Precedence climbing over the binary operator table.
    fn binary(&mut self, level: usize) -> Result<Node, ExprError> {
        const LEVELS: usize = 6;
        if level == LEVELS {
            return self.unary();
        }
        let mut lhs = self.binary(level + 1)?;
        while let Some(op) = self.peek().and_then(|t| infix_op(&t.kind, level)) {
            self.bump();
            let rhs = self.binary(level + 1)?;
            lhs = Node::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Node, ExprError> {
        if matches!(self.peek().map(|t| &t.kind), Some(Tok::Minus)) {
            self.bump();
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(ExprError::new(self.end_pos, ExprErrorKind::TooDeep));
            }
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Node::Neg(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Node, ExprError> {
        let Some(t) = self.bump() else {
            return Err(ExprError::new(self.end_pos, ExprErrorKind::UnexpectedEnd));
        };
        match t.kind {
            Tok::Num(n) => Ok(Node::Num(n)),
            Tok::Str(s) => Ok(Node::Str(s)),
            Tok::Ref(name) => self.predicates(Node::Ref(name)),
            Tok::Dot => Ok(Node::Current),
            Tok::DotDot => self.relative_path(t.pos),
            Tok::Slash => Err(ExprError::new(t.pos, ExprErrorKind::Unsupported("rutas absolutas (/data/…): use ${nombre}".into()))),
            Tok::LParen => {
                let inner = self.expr()?;
                self.expect(Tok::RParen, "«)»")?;
                Ok(inner)
            }
            Tok::Name(name) => {
                if matches!(self.peek().map(|t| &t.kind), Some(Tok::LParen)) {
                    self.bump();
                    self.call(&name, t.pos)
                } else if self.in_instance > 0 {
                    Ok(Node::ChoiceColumn(name))
                } else if self.in_predicate > 0 {
                    Ok(Node::Relative(name))
                } else if self.allow_choice_columns {
                    Ok(Node::ChoiceColumn(name))
                } else {
                    Err(ExprError::new(t.pos, ExprErrorKind::BareName(name)))
                }
            }
            Tok::Pipe => Err(ExprError::new(t.pos, ExprErrorKind::Unsupported("«|»".into()))),
            _ => Err(self.unexpected(t, "un valor")),
        }
    }

    /// `[predicate]…` after a reference.
    fn predicates(&mut self, mut base: Node) -> Result<Node, ExprError> {
        while matches!(self.peek().map(|t| &t.kind), Some(Tok::LBracket)) {
            self.bump();
            self.in_predicate += 1;
            let predicate = self.expr();
            self.in_predicate -= 1;
            let predicate = predicate?;
            self.expect(Tok::RBracket, "«]»")?;
            base = Node::Filter(Box::new(base), Box::new(predicate));
        }
        if let Some(t) = self.peek().filter(|t| t.kind == Tok::Slash) {
            return Err(ExprError::new(t.pos, ExprErrorKind::Unsupported("un paso «/» tras un filtro: filtre la pregunta misma, p. ej. ${edad}[. > 17]".into())));
        }
        Ok(base)
    }

    /// `../name` (any number of `../`): the question `name` as seen from here.
    fn relative_path(&mut self, pos: usize) -> Result<Node, ExprError> {
        loop {
            match self.peek().map(|t| t.kind.clone()) {
                Some(Tok::Slash) => {
                    self.bump();
                }
                _ => return Err(ExprError::new(pos, ExprErrorKind::Unsupported("«..» solo como position(..) o en ../nombre".into()))),
            }
            match self.bump().map(|t| t.kind) {
                Some(Tok::DotDot) => continue,
                Some(Tok::Name(name)) if crate::form::is_valid_name(&name) => return self.predicates(Node::Ref(name)),
                _ => return Err(ExprError::new(pos, ExprErrorKind::Unsupported("una ruta relativa debe terminar en un nombre: ../nombre".into()))),
            }
        }
    }

    /// `instance('name')/root/item[…]/column`, after `instance(`.
    fn instance(&mut self, pos: usize) -> Result<Node, ExprError> {
        let name = match self.bump().map(|t| t.kind) {
            Some(Tok::Str(s)) if crate::form::is_valid_name(&s) => s,
            _ => return Err(ExprError::new(pos, ExprErrorKind::Unsupported("instance() lleva el nombre de un archivo adjunto entre comillas".into()))),
        };
        self.expect(Tok::RParen, "«)»")?;
        for step in ["root", "item"] {
            let ok = matches!(self.bump().map(|t| t.kind), Some(Tok::Slash)) && matches!(self.bump().map(|t| t.kind), Some(Tok::Name(n)) if n == step);
            if !ok {
                return Err(ExprError::new(pos, ExprErrorKind::Unsupported(format!("instance('{name}') se usa como instance('{name}')/root/item[…]/columna"))));
            }
        }
        let mut predicate: Option<Box<Node>> = None;
        while matches!(self.peek().map(|t| &t.kind), Some(Tok::LBracket)) {
            self.bump();
            self.in_instance += 1;
            let p = self.expr();
            self.in_instance -= 1;
            let p = p?;
            self.expect(Tok::RBracket, "«]»")?;
            predicate = Some(Box::new(match predicate {
                None => p,
                Some(before) => Node::Binary(super::ast::BinOp::And, before, Box::new(p)),
            }));
        }
        let mut column = None;
        if matches!(self.peek().map(|t| &t.kind), Some(Tok::Slash)) {
            self.bump();
            match self.bump().map(|t| t.kind) {
                Some(Tok::Name(c)) if crate::form::is_valid_name(&c) => column = Some(c),
                _ => return Err(ExprError::new(pos, ExprErrorKind::Unsupported("tras instance(…)/root/item va el nombre de una columna".into()))),
            }
        }
        Ok(Node::Instance { name, predicate, column })
    }

    fn call(&mut self, name: &str, pos: usize) -> Result<Node, ExprError> {
        if name == "instance" {
            return self.instance(pos);
        }
        let Some((func, canonical, min, max)) = Func::lookup(name) else {
            if let Some(why) = super::ast::unsupported_function(name) {
                return Err(ExprError::new(pos, ExprErrorKind::Unsupported(format!("{name}(): {why}"))));
            }
            return Err(ExprError::new(pos, ExprErrorKind::UnknownFunction(name.to_string())));
        };
        // position(..): the enclosing instance.
        if matches!(func, Func::Position) && matches!(self.peek().map(|t| &t.kind), Some(Tok::DotDot)) {
            self.bump();
            self.expect(Tok::RParen, "«)»")?;
            return Ok(Node::Call(func, vec![Node::Parent]));
        }
        let mut args = Vec::new();
        if !matches!(self.peek().map(|t| &t.kind), Some(Tok::RParen)) {
            loop {
                args.push(self.expr()?);
                match self.bump() {
                    Some(Token { kind: Tok::Comma, .. }) => continue,
                    Some(Token { kind: Tok::RParen, .. }) => break,
                    Some(t) => return Err(self.unexpected(t, "«,» o «)»")),
                    None => return Err(ExprError::new(self.end_pos, ExprErrorKind::UnexpectedEnd)),
                }
            }
        } else {
            self.bump();
        }
        if args.len() < min || args.len() > max {
            let expected = match (min, max) {
                (a, b) if a == b => ARITY_WORDS.get(a).copied().unwrap_or("otro número de"),
                (2, usize::MAX) => "al menos dos",
                (_, usize::MAX) => "al menos uno",
                (0, 1) => "cero o uno",
                (2, 3) => "dos o tres",
                _ => "uno o dos",
            };
            return Err(ExprError::new(
                pos,
                ExprErrorKind::Arity { name: canonical, expected, got: args.len() },
            ));
        }
        let func = match (func, args.get(1)) {
            (Func::Regex(_), Some(Node::Str(pattern))) => {
                let re = regex::Regex::new(pattern)
                    .map_err(|e| ExprError::new(pos, ExprErrorKind::BadRegex(e.to_string())))?;
                Func::Regex(Some(re))
            }
            (f, _) => f,
        };
        Ok(Node::Call(func, args))
    }
}

const ARITY_WORDS: [&str; 4] = ["cero", "un", "dos", "tres"];

fn infix_op(tok: &Tok, level: usize) -> Option<BinOp> {
    let op = match tok {
        Tok::Name(n) if n == "or" => BinOp::Or,
        Tok::Name(n) if n == "and" => BinOp::And,
        Tok::Eq => BinOp::Eq,
        Tok::Ne => BinOp::Ne,
        Tok::Lt => BinOp::Lt,
        Tok::Le => BinOp::Le,
        Tok::Gt => BinOp::Gt,
        Tok::Ge => BinOp::Ge,
        Tok::Plus => BinOp::Add,
        Tok::Minus => BinOp::Sub,
        Tok::Star => BinOp::Mul,
        Tok::Name(n) if n == "div" => BinOp::Div,
        Tok::Name(n) if n == "mod" => BinOp::Mod,
        _ => return None,
    };
    let op_level = match op {
        BinOp::Or => 0,
        BinOp::And => 1,
        BinOp::Eq | BinOp::Ne => 2,
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 3,
        BinOp::Add | BinOp::Sub => 4,
        BinOp::Mul | BinOp::Div | BinOp::Mod => 5,
    };
    (op_level == level).then_some(op)
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Num(n) => format!("el número {n}"),
        Tok::Str(s) => format!("el texto '{s}'"),
        Tok::Ref(r) => format!("${{{r}}}"),
        Tok::Dot => "«.»".into(),
        Tok::Name(n) => format!("«{n}»"),
        Tok::LParen => "«(»".into(),
        Tok::RParen => "«)»".into(),
        Tok::Comma => "«,»".into(),
        Tok::Plus => "«+»".into(),
        Tok::Minus => "«-»".into(),
        Tok::Star => "«*»".into(),
        Tok::Eq => "«=»".into(),
        Tok::Ne => "«!=»".into(),
        Tok::Lt => "«<»".into(),
        Tok::Le => "«<=»".into(),
        Tok::Gt => "«>»".into(),
        Tok::Ge => "«>=»".into(),
        Tok::Pipe => "«|»".into(),
        Tok::LBracket => "«[»".into(),
        Tok::RBracket => "«]»".into(),
        Tok::DotDot => "«..»".into(),
        Tok::Slash => "«/»".into(),
    }
}
