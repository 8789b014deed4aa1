// The .cnn language: a network is one chain of layers joined by '->', plus optional named
// blocks and a train section. Only dev.cnnc.compiler.parse reads the trees this produces.
grammar Cnn;

specFile : item* EOF ;

item
  : network
  | block
  | train
  ;

network : NETWORK name=ident LBRACE input? chain? RBRACE ;

// C x H x W; the batch dimension is implicit.
input : INPUT DIMS ;

block : BLOCK name=ident (LPAREN params? RPAREN)? LBRACE chain RBRACE ;

params : ident (COMMA ident)* COMMA? ;

// '->' joins layers; a labelled layer may also start a new line of the chain without one.
chain : link+ ;

link : ARROW? element ;

element : (label=ident COLON)? term (STAR count=expr)? ;

term
  : RESIDUAL (LPAREN args? RPAREN)? LBRACE body=chain RBRACE
      (SHORTCUT LBRACE shortcut=chain RBRACE)?                 # residualTerm
  | REPEAT count=expr LBRACE body=chain RBRACE                 # repeatTerm
  | op=ident (LPAREN args? RPAREN)?                            # layerTerm
  ;

args : arg (COMMA arg)* COMMA? ;

arg
  : key=ident (COLON | ASSIGN) value                           # namedArg
  | value                                                      # positionalArg
  ;

value
  : STRING                                                     # stringValue
  | expr                                                       # exprValue
  ;

expr
  : MINUS expr                                                 # negExpr
  | left=expr op=(STAR | SLASH) right=expr                     # binaryExpr
  | left=expr op=(PLUS | MINUS) right=expr                     # binaryExpr
  | LPAREN expr RPAREN                                         # parenExpr
  | INT                                                        # intExpr
  | FLOAT                                                      # floatExpr
  | ident                                                      # nameExpr
  ;

train : TRAIN LBRACE setting* RBRACE ;

setting : key=ident (COLON | ASSIGN)? settingValue (COMMA settingValue)* ;

settingValue
  : name=ident LPAREN args? RPAREN                             # callSetting
  | value                                                      # plainSetting
  ;

// Keywords are reserved only where they start a construct; elsewhere they are plain names.
ident : ID | NETWORK | BLOCK | TRAIN | INPUT | RESIDUAL | SHORTCUT | REPEAT ;

NETWORK  : 'network' ;
BLOCK    : 'block' ;
TRAIN    : 'train' ;
INPUT    : 'input' ;
RESIDUAL : 'residual' ;
SHORTCUT : 'shortcut' ;
REPEAT   : 'repeat' ;

ARROW  : '->' ;
LBRACE : '{' ;
RBRACE : '}' ;
LPAREN : '(' ;
RPAREN : ')' ;
COMMA  : ',' ;
COLON  : ':' ;
ASSIGN : '=' ;
STAR   : '*' ;
SLASH  : '/' ;
PLUS   : '+' ;
MINUS  : '-' ;

DIMS   : DIGIT+ ('x' DIGIT+)+ ;
FLOAT  : DIGIT+ '.' DIGIT* EXPONENT? | '.' DIGIT+ EXPONENT? | DIGIT+ EXPONENT ;
INT    : DIGIT+ ;
ID     : [a-zA-Z_] [a-zA-Z_0-9]* ;
STRING : '"' (~["\\\r\n] | '\\' .)* '"' ;

COMMENT : '#' ~[\r\n]* -> skip ;
WS      : [ \t\r\n\f]+ -> skip ;

// Anything else becomes one token the parser rejects with a plain message.
UNKNOWN : . ;

fragment DIGIT    : [0-9] ;
fragment EXPONENT : [eE] [+-]? DIGIT+ ;
